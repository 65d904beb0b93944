package dev.fineturn.spark;

import dev.fineturn.data.Sample;
import dev.fineturn.nn.Classifier;
import dev.fineturn.ops.Losses;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;
import dev.fineturn.train.ClassificationMetrics;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;
import scala.reflect.ClassTag$;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Held-out image rows kept on the cluster and scored there: row i of the held-out images (in local
 * order) belongs to evaluation batch i / batchSize, each batch lives whole in one partition, and an
 * executor decodes, stacks and classifies it as the local {@code Evaluation} does. The driver
 * receives each batch's logits and mean loss and adds them up in batch order, so the scores are the
 * local evaluation's, bit for bit, while the images never pass through the driver.
 */
final class HeldOutBatches implements AutoCloseable {
    private final SparkSession spark;
    private final JavaPairRDD<Long, Tuple2<Long, Row>> batches;
    private final List<String> classes;
    private final int size;
    private final int batchSize;
    private final long count;

    /** {@code rows}: (position among the held-out rows in local order, row {@code path, label, content}). */
    HeldOutBatches(SparkSession spark, JavaPairRDD<Long, Row> rows, List<String> classes, int size, int batchSize) {
        this.spark = spark;
        this.classes = List.copyOf(classes);
        this.size = size;
        this.batchSize = batchSize;
        int partitions = Math.max(1, spark.sparkContext().defaultParallelism());
        long b = batchSize;
        this.batches = rows.mapToPair(t -> new Tuple2<>(t._1() / b, t)).partitionBy(new HashPartitioner(partitions));
        batches.persist(StorageLevel.MEMORY_AND_DISK());
        this.count = batches.count();
        if (count == 0) {
            batches.unpersist();
            throw new IllegalArgumentException("validation: no held-out images");
        }
    }

    /** Held-out images. */
    long size() {
        return count;
    }

    /** {@code model}'s scores on the held-out images, as the local {@code Evaluation} in batches of the batch size. */
    ClassificationMetrics evaluate(BackboneBroadcast model) {
        Broadcast<BackboneBroadcast> b = spark.sparkContext().broadcast(model,
                ClassTag$.MODULE$.apply(BackboneBroadcast.class));
        try {
            List<String> names = classes;
            int side = size;
            String job = java.util.UUID.randomUUID().toString();
            List<BatchScore> scores = new ArrayList<>(batches.mapPartitions(rows -> score(b, job, rows, names, side))
                    .collect());
            scores.sort(Comparator.comparingLong(BatchScore::batch));
            ClassificationMetrics.Accumulator acc = new ClassificationMetrics.Accumulator(classes.size());
            for (BatchScore s : scores) {
                acc.add(s.logits(), s.labels(), s.loss());
            }
            return acc.result();
        } finally {
            b.destroy();
        }
    }

    @Override
    public void close() {
        batches.unpersist();
    }

    /** One evaluation batch's logits (row-major [n, classes]), labels and mean cross-entropy. */
    record BatchScore(long batch, float[] logits, int[] labels, double loss) implements Serializable {
    }

    private static Iterator<BatchScore> score(Broadcast<BackboneBroadcast> b, String job,
                                              Iterator<Tuple2<Long, Tuple2<Long, Row>>> rows, List<String> classes,
                                              int size) {
        Map<Long, TreeMap<Long, Row>> byBatch = new TreeMap<>();
        rows.forEachRemaining(t -> byBatch.computeIfAbsent(t._1(), k -> new TreeMap<>()).put(t._2()._1(), t._2()._2()));
        if (byBatch.isEmpty()) {
            return java.util.Collections.emptyIterator();
        }
        Classifier model = ExecutorModels.forJob(b.value(), job);
        List<BatchScore> out = new ArrayList<>(byBatch.size());
        for (var e : byBatch.entrySet()) {
            List<Sample> samples = new ArrayList<>(e.getValue().size());
            for (Row r : e.getValue().values()) {
                samples.add(ImageRows.decode((byte[]) r.get(2), r.getString(0), classes.indexOf(r.getString(1)),
                        size));
            }
            out.add(score(model, e.getKey(), samples));
        }
        return out.iterator();
    }

    /** The batch stacked as the local data loader stacks it, classified in inference mode; the shared model runs one batch at a time. */
    private static BatchScore score(Classifier model, long batch, List<Sample> samples) {
        Sample first = samples.getFirst();
        int per = first.pixels().length;
        float[] x = new float[samples.size() * per];
        float[] labels = new float[samples.size()];
        int[] labelArray = new int[samples.size()];
        for (int i = 0; i < samples.size(); i++) {
            System.arraycopy(samples.get(i).pixels(), 0, x, i * per, per);
            labels[i] = samples.get(i).label();
            labelArray[i] = samples.get(i).label();
        }
        synchronized (model) {
            var backend = model.parameters().getFirst().backend();
            boolean training = model.isTraining();
            model.eval();
            try (var g = GradMode.noGrad()) {
                Tensor logits = model.forward(Tensor.of(backend, x, samples.size(), first.channels(), first.height(),
                        first.width()));
                double loss = Losses.crossEntropy(logits, Tensor.of(backend, labels, samples.size()), 0f).item();
                return new BatchScore(batch, logits.toArray(), labelArray, loss);
            } finally {
                model.train(training);
            }
        }
    }
}
