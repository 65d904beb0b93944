package dev.fineturn.spark;

import dev.fineturn.data.Dataset;
import dev.fineturn.io.AtomicFiles;
import dev.fineturn.nn.Classifier;
import dev.fineturn.train.Evaluation;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import scala.reflect.ClassTag$;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Data-parallel fine-tuning on a Spark cluster. Each epoch is one barrier stage of {@code workers}
 * tasks; task r trains on shard r (every workers-th image in a local image folder's order) and the
 * ranks sum their gradients with a ring all-reduce, so all take the same step. Rank 0 returns the
 * weights and the optimiser's state; the driver evaluates, schedules the learning rate, stops early
 * and checkpoints. A failed barrier job (Spark does not retry one that ends in {@code collect})
 * re-runs from the last checkpoint, at most {@code maxRetries} times per epoch.
 */
public final class SparkFineTuner {
    private final SparkSession spark;
    private final FineTuneConfig cfg;
    private Path checkpoints;
    private Dataset validation;

    public SparkFineTuner(SparkSession spark, FineTuneConfig cfg) {
        this.spark = spark;
        this.cfg = cfg;
    }

    /** Writes each epoch's weights and optimiser state here (atomically) and re-runs failed epochs from them. */
    public SparkFineTuner checkpoints(Path dir) {
        this.checkpoints = dir;
        return this;
    }

    /** Images the driver scores after every epoch, for early stopping and the best epoch. */
    public SparkFineTuner validation(Dataset data) {
        this.validation = data;
        return this;
    }

    /** One epoch as the driver saw it. */
    public record Epoch(int epoch, double trainLoss, double validationAccuracy, double lr, int attempts,
                        double seconds, List<ReplicaState> ranks) {
    }

    /**
     * @param model     the trained weights (the best epoch's when validating)
     * @param history   every epoch
     * @param bestEpoch the epoch whose weights {@code model} holds (-1: the start)
     * @param retries   failed barrier jobs re-run from a checkpoint
     */
    public record Result(BackboneBroadcast model, List<Epoch> history, int bestEpoch, int retries) {
    }

    /** Trains {@code start} on image rows {@code path, label, content}. */
    public Result fit(BackboneBroadcast start, org.apache.spark.sql.Dataset<Row> images) {
        checkCluster();
        List<String> classes = images.select("label").distinct().as(Encoders.STRING()).collectAsList().stream()
                .sorted().toList();
        int n = cfg.workers();
        JavaRDD<Row> shards = shard(images, n);
        shards.persist(StorageLevel.MEMORY_AND_DISK());
        long total = shards.count();
        int steps = (int) (total / n / cfg.batchSize());
        if (steps < 1) {
            shards.unpersist();
            throw new IllegalArgumentException(total + " images give no full batch of " + cfg.batchSize() + " on each of "
                    + n + " workers");
        }
        EpochInput state = new EpochInput(start, null, 0, new ArrayList<>(classes));
        List<Epoch> history = new ArrayList<>();
        BackboneBroadcast best = start;
        double bestAccuracy = validation == null ? Double.NaN : accuracy(start, classes.size());
        int bestEpoch = -1;
        int retries = 0;
        int sinceBest = 0;
        try {
            for (int e = 0; e < cfg.epochs(); e++) {
                long t0 = System.nanoTime();
                List<ReplicaState> ranks = null;
                int attempt = 0;
                while (ranks == null) {
                    try {
                        ranks = runEpoch(shards, state, e, attempt, steps);
                    } catch (Exception failure) {
                        // Spark's job failure is a checked SparkException that Scala code throws undeclared.
                        if (!BarrierStages.isSparkFailure(failure) || attempt >= cfg.maxRetries()) {
                            throw failure instanceof RuntimeException re ? re : new IllegalStateException(
                                    "epoch " + e + " failed after " + (attempt + 1) + " attempt(s): "
                                            + failure.getMessage(), failure);
                        }
                        attempt++;
                        retries++;
                        state = fromCheckpoint(state, e);
                    }
                }
                ReplicaState r0 = BarrierStages.rank0(ranks);
                state = new EpochInput(state.model().withWeights(r0.weights(), start.backboneHash() + "-e" + e),
                        r0.optimizer(), r0.steps(), state.classes());
                checkpoint(state, e);
                double acc = validation == null ? Double.NaN : accuracy(state.model(), classes.size());
                double loss = ranks.stream().mapToDouble(ReplicaState::trainLoss).average().orElse(Double.NaN);
                history.add(new Epoch(e, loss, acc, cfg.lr() * cfg.lrFactor(e), attempt + 1,
                        (System.nanoTime() - t0) / 1e9, ranks));
                if (validation == null || acc > bestAccuracy) {
                    best = state.model();
                    bestAccuracy = acc;
                    bestEpoch = e;
                    sinceBest = 0;
                } else if (cfg.patience() > 0 && ++sinceBest >= cfg.patience()) {
                    break;
                }
            }
        } finally {
            shards.unpersist();
        }
        return new Result(best, history, bestEpoch, retries);
    }

    private void checkCluster() {
        BarrierStages.checkCluster(spark, cfg.workers(), "data-parallel fine-tuning");
    }

    /** Row i of a local image folder's order goes to shard i mod n; partition r holds shard r. */
    static JavaRDD<Row> shard(org.apache.spark.sql.Dataset<Row> images, int n) {
        return images.select("path", "label", "content").orderBy("label", "path").javaRDD().zipWithIndex()
                .mapToPair(t -> new scala.Tuple2<>((int) (t._2() % n), t._1()))
                .partitionBy(new ExactPartitioner(n)).values();
    }

    private List<ReplicaState> runEpoch(JavaRDD<Row> shards, EpochInput state, int epoch, int attempt, int steps) {
        Broadcast<EpochInput> b = spark.sparkContext().broadcast(state, ClassTag$.MODULE$.apply(EpochInput.class));
        try {
            return BarrierStages.run(shards, new DataParallelEpoch(b, cfg, epoch, attempt, steps, RingAllReduce.token()));
        } finally {
            b.destroy();
        }
    }

    private void checkpoint(EpochInput state, int epoch) {
        if (checkpoints == null) {
            return;
        }
        try {
            Files.createDirectories(checkpoints);
            AtomicFiles.write(checkpoints.resolve(String.format("epoch-%04d.model.safetensors", epoch)),
                    state.model().weights());
            AtomicFiles.write(checkpoints.resolve(String.format("epoch-%04d.optimizer.safetensors", epoch)),
                    state.optimizer());
            AtomicFiles.write(checkpoints.resolve(String.format("epoch-%04d.steps", epoch)),
                    Long.toString(state.steps()).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint of epoch " + epoch + ": " + e.getMessage(), e);
        }
    }

    /** The state to re-run {@code epoch} from: the previous epoch's checkpoint files, else the state in memory. */
    private EpochInput fromCheckpoint(EpochInput current, int epoch) {
        if (checkpoints == null || epoch == 0) {
            return current;
        }
        try {
            Path w = checkpoints.resolve(String.format("epoch-%04d.model.safetensors", epoch - 1));
            Path o = checkpoints.resolve(String.format("epoch-%04d.optimizer.safetensors", epoch - 1));
            Path s = checkpoints.resolve(String.format("epoch-%04d.steps", epoch - 1));
            return new EpochInput(current.model().withWeights(Files.readAllBytes(w), current.model().backboneHash()),
                    Files.readAllBytes(o), Long.parseLong(Files.readString(s).trim()), current.classes());
        } catch (IOException e) {
            throw new UncheckedIOException("reading the checkpoint of epoch " + (epoch - 1) + ": " + e.getMessage(), e);
        }
    }

    private double accuracy(BackboneBroadcast model, int classes) {
        Classifier m = ExecutorModels.fresh(model);
        return Evaluation.evaluate(m, validation, 32, m.parameters().getFirst().backend(), null, classes).top1();
    }

    /** Key k to partition k. */
    static final class ExactPartitioner extends Partitioner {
        private final int n;

        ExactPartitioner(int n) {
            this.n = n;
        }

        @Override
        public int numPartitions() {
            return n;
        }

        @Override
        public int getPartition(Object key) {
            return (Integer) key;
        }
    }
}
