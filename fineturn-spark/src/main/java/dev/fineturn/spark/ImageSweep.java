package dev.fineturn.spark;

import dev.fineturn.cli.SparkJobs;
import dev.fineturn.cli.SweepCell;
import dev.fineturn.cli.report.FoldReport;
import dev.fineturn.data.Dataset;
import dev.fineturn.data.Datasets;
import dev.fineturn.data.InMemoryDataset;
import dev.fineturn.data.Sample;
import dev.fineturn.data.Split;
import dev.fineturn.nn.Classifier;
import dev.fineturn.train.ClassificationMetrics;
import dev.fineturn.train.DivergenceException;
import dev.fineturn.train.FitResult;
import dev.fineturn.train.PixelProbe;
import dev.fineturn.train.Trainer;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.reflect.ClassTag$;

import java.io.Serializable;
import java.lang.ref.SoftReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The local {@code sweep}'s cross-validation spread over a cluster, for data small enough that every
 * task can hold it: the image files (compressed, as read) go out in one broadcast, each executor JVM
 * decodes them once into the dataset a local image folder gives, and every (configuration, fold) is
 * an independent task that trains a fresh copy of the model on the fold's training part with the
 * local {@code Trainer} and scores its held-out part. The folds are the local sweep's
 * ({@code Datasets.kFold} with the seed over the images in image-folder order), so each score is the
 * one the local sweep gets for that configuration and fold.
 */
final class ImageSweep {
    /** The images of the latest broadcast this JVM decoded, by broadcast id; the GC may take them back. */
    private static Map.Entry<Long, SoftReference<InMemoryDataset>> decoded;

    private ImageSweep() {
    }

    /** The image files in image-folder order (label, then path), with the class names. */
    record Images(List<String> paths, List<String> labels, List<byte[]> contents, List<String> classes, int size)
            implements Serializable {
    }

    /** One (configuration, fold) task's score, or why it failed. */
    record FoldScore(int cell, int fold, double accuracy, Double loss, Integer epochs, double seconds, String error)
            implements Serializable {
    }

    /** Collects the image rows {@code path, label, content} to the driver, in image-folder order. */
    static Images collect(org.apache.spark.sql.Dataset<Row> images, int size) {
        List<String> classes = images.select("label").distinct().as(Encoders.STRING()).collectAsList().stream()
                .sorted().toList();
        List<String> paths = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        for (Row r : images.select("path", "label", "content").orderBy("label", "path").collectAsList()) {
            paths.add(r.getString(0));
            labels.add(r.getString(1));
            contents.add((byte[]) r.get(2));
        }
        return new Images(paths, labels, contents, classes, size);
    }

    /** Every cell's folds, in cell order; {@code model} is the pretrained model each task copies. */
    static List<SparkJobs.CellFolds> run(SparkSession spark, BackboneBroadcast model, Images images,
                                         List<SweepCell> cells, int folds) {
        if (folds < 2 || folds > images.paths().size()) {
            throw new IllegalArgumentException("sweep: " + folds + " folds for " + images.paths().size()
                    + " images; give 2 to " + images.paths().size());
        }
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<Images> data = spark.sparkContext().broadcast(images, ClassTag$.MODULE$.apply(Images.class));
        Broadcast<BackboneBroadcast> net = spark.sparkContext().broadcast(model,
                ClassTag$.MODULE$.apply(BackboneBroadcast.class));
        try {
            List<int[]> tasks = new ArrayList<>();
            for (int c = 0; c < cells.size(); c++) {
                for (int f = 0; f < folds; f++) {
                    tasks.add(new int[]{c, f});
                }
            }
            List<SweepCell> all = List.copyOf(cells);
            List<FoldScore> scores = sc.parallelize(tasks, tasks.size())
                    .map(t -> score(all.get(t[0]), t[0], t[1], folds, net, data)).collect();
            List<SparkJobs.CellFolds> out = new ArrayList<>();
            for (int c = 0; c < cells.size(); c++) {
                List<FoldReport.Fold> cellFolds = new ArrayList<>();
                String error = null;
                for (FoldScore s : scores) {
                    if (s.cell() != c) {
                        continue;
                    }
                    if (s.error() != null && error == null) {
                        error = s.error();
                    }
                    cellFolds.add(new FoldReport.Fold(s.fold(), s.accuracy(), s.loss(), s.epochs(), s.seconds()));
                }
                cellFolds.sort(java.util.Comparator.comparingInt(FoldReport.Fold::fold));
                out.add(new SparkJobs.CellFolds(error == null ? cellFolds : List.of(), error));
            }
            return out;
        } finally {
            data.destroy();
            net.destroy();
        }
    }

    /** Trains on all of {@code images} with {@code cell}'s settings, as the local sweep refits its winner. */
    static Classifier fit(BackboneBroadcast model, Images images, SweepCell cell) {
        Classifier m = ExecutorModels.fresh(model);
        new Trainer(cell.config().withValidationFraction(0)).fit(m, cell.parsedStrategy(), decode(images), null);
        return m;
    }

    private static FoldScore score(SweepCell cell, int c, int f, int folds, Broadcast<BackboneBroadcast> net,
                                   Broadcast<Images> data) {
        long t0 = System.nanoTime();
        Split fold = Datasets.kFold(decoded(data), folds, cell.seed()).get(f);
        if (cell.pixels()) {
            double acc = PixelProbe.evaluate(fold.train(), fold.validation(), PixelProbe.SIDE, 5, cell.seed() + f)
                    .top1();
            return new FoldScore(c, f, acc, null, null, (System.nanoTime() - t0) / 1e9, null);
        }
        try {
            FitResult r = new Trainer(cell.config()).fit(ExecutorModels.fresh(net.value()), cell.parsedStrategy(),
                    fold.train(), fold.validation());
            ClassificationMetrics m = r.best() != null ? r.best() : r.last().validation();
            return new FoldScore(c, f, m.top1(), m.loss(), r.history().size(), r.seconds(), null);
        } catch (DivergenceException e) {
            return new FoldScore(c, f, Double.NaN, null, null, (System.nanoTime() - t0) / 1e9,
                    "diverged: " + e.getMessage());
        }
    }

    /** The broadcast's images, decoded once per JVM while its tasks run (tasks of one JVM wait for the first). */
    private static synchronized InMemoryDataset decoded(Broadcast<Images> data) {
        InMemoryDataset d = decoded != null && decoded.getKey() == data.id() ? decoded.getValue().get() : null;
        if (d == null) {
            decoded = null;
            d = decode(data.value());
            decoded = Map.entry(data.id(), new SoftReference<>(d));
        }
        return d;
    }

    /** The images decoded as a local image folder decodes them. */
    static InMemoryDataset decode(Images images) {
        int n = images.paths().size();
        int per = 3 * images.size() * images.size();
        float[] pixels = new float[Math.multiplyExact(n, per)];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            Sample s = ImageRows.decode(images.contents().get(i), images.paths().get(i),
                    images.classes().indexOf(images.labels().get(i)), images.size());
            System.arraycopy(s.pixels(), 0, pixels, i * per, per);
            labels[i] = s.label();
        }
        return new InMemoryDataset(pixels, labels, new int[]{3, images.size(), images.size()}, images.classes());
    }
}
