package dev.fineturn.spark;

import dev.fineturn.data.Dataset;
import dev.fineturn.io.AtomicFiles;
import dev.fineturn.nn.Classifier;
import dev.fineturn.optim.schedule.LrSchedule;
import dev.fineturn.optim.schedule.Schedules;
import dev.fineturn.train.ClassificationMetrics;
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
import java.util.HashMap;
import java.util.List;
import java.util.Objects;

/**
 * Data-parallel fine-tuning on a Spark cluster. Each epoch is one barrier stage of {@code workers}
 * tasks; task r trains on shard r (every workers-th training image in a local image folder's order)
 * and the ranks sum their gradients with a ring all-reduce, so all take the same step. Rank 0 returns
 * the weights and the optimiser's state; the driver validates, schedules the learning rate, keeps the
 * best epoch, stops early and checkpoints. A failed barrier job (Spark does not retry one that ends in
 * {@code collect}) re-runs from the last checkpoint, at most {@code maxRetries} times per epoch.
 * <p>
 * Validation images are a given dataset ({@link #validation(Dataset)}), or, when the config's
 * {@code validationFraction} is above 0, the local trainer's split of the images: {@code Datasets.split}
 * with the fraction and seed over the images in local order. The held-out images never reach a
 * shard; they stay on the cluster and are scored there, in the local evaluation's batches, and the
 * driver adds up the batches' logits and losses in order ({@link HeldOutBatches}). The best epoch
 * and early stopping follow the local trainer's rule ({@link EarlyStopping}): the monitored metric,
 * an accuracy tie broken by a lower loss, {@code patience} epochs in a row without a better one. The
 * start counts as a candidate, as the local trainer's probe-initialised start does, unless
 * {@link #trainedStart(boolean)} says its head is untrained. A plateau schedule observes the
 * validation loss on the driver; its state goes out with the next epoch.
 */
public final class SparkFineTuner {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();
    private final SparkSession spark;
    private final FineTuneConfig cfg;
    private Path checkpoints;
    private Dataset validation;
    private boolean trainedStart = true;

    public SparkFineTuner(SparkSession spark, FineTuneConfig cfg) {
        this.spark = spark;
        this.cfg = cfg;
    }

    /**
     * Writes each epoch's weights, optimiser state, step count and schedule state here (atomically)
     * and re-runs failed epochs from them.
     */
    public SparkFineTuner checkpoints(Path dir) {
        this.checkpoints = dir;
        return this;
    }

    /**
     * Images the driver scores after every epoch, for the best epoch and early stopping, instead of a
     * split of the training images (every image then trains).
     */
    public SparkFineTuner validation(Dataset data) {
        this.validation = Objects.requireNonNull(data, "validation data");
        return this;
    }

    /**
     * Whether the start's head is trained (default true: the MLlib head, as the local trainer's
     * probe-initialised start), so the start is scored and an epoch must beat it to become the best;
     * false for a fresh head, which the local trainer never keeps.
     */
    public SparkFineTuner trainedStart(boolean trained) {
        this.trainedStart = trained;
        return this;
    }

    /**
     * One epoch as the driver saw it.
     *
     * @param trainLoss  the mean training loss over the ranks
     * @param validation the weights' scores on the validation images after the epoch, null without validation
     * @param lr         the rate of the epoch's last step (the local trainer's record)
     */
    public record Epoch(int epoch, double trainLoss, ClassificationMetrics validation, double lr, int attempts,
                        double seconds, List<ReplicaState> ranks) {
        /** Validation accuracy (top-1) after the epoch, NaN without validation. */
        public double validationAccuracy() {
            return validation == null ? Double.NaN : validation.top1();
        }

        /** Validation cross-entropy after the epoch, NaN without validation. */
        public double validationLoss() {
            return validation == null ? Double.NaN : validation.loss();
        }
    }

    /**
     * @param model            the trained weights: the best epoch's when validating with {@code restoreBest}
     *                         (the start's when no epoch beat it), else the last epoch's
     * @param history          every epoch run
     * @param bestEpoch        the epoch (0-based) with the best validation by {@code monitor}; -1: the start, or no
     *                         validation
     * @param best             the best epoch's (or the start's) validation scores, null without validation
     * @param stoppedEarly     training stopped after {@code patience} epochs without improvement
     * @param keptBest         {@code model} holds the best weights ({@code restoreBest} with validation)
     * @param retries          failed barrier jobs re-run from a checkpoint
     * @param stepsPerEpoch    steps every rank took per epoch
     * @param trainImages      images that trained
     * @param validationImages images that validated (0: none)
     */
    public record Result(BackboneBroadcast model, List<Epoch> history, int bestEpoch, ClassificationMetrics best,
                         boolean stoppedEarly, boolean keptBest, int retries, int stepsPerEpoch, long trainImages,
                         int validationImages) {
        /** The epoch (0-based) whose weights {@code model} holds; -1: the start. */
        public int keptEpoch() {
            return keptBest ? bestEpoch : history.size() - 1;
        }

        /** The validation scores of the weights in {@code model}, null without validation. */
        public ClassificationMetrics kept() {
            return keptBest ? best : history.getLast().validation();
        }
    }

    /** Trains {@code start} on image rows {@code path, label, content}. */
    public Result fit(BackboneBroadcast start, org.apache.spark.sql.Dataset<Row> images) {
        checkCluster();
        List<String> classes = images.select("label").distinct().as(Encoders.STRING()).collectAsList().stream()
                .sorted().toList();
        int n = cfg.workers();
        JavaRDD<Row> ordered = images.select("path", "label", "content").orderBy("label", "path").javaRDD();
        HeldOut heldOut = validation == null ? null : onDriver(validation, classes.size());
        HeldOutBatches onCluster = null;
        JavaRDD<Row> shards;
        long total;
        try {
            if (heldOut == null && cfg.validationFraction() > 0) {
                try (LocalSplit.Parts split = LocalSplit.of(spark, ordered, cfg.validationFraction(), cfg.seed())) {
                    onCluster = new HeldOutBatches(spark, split.heldOut(), classes, start.inputSize(),
                            cfg.batchSize());
                    HeldOutBatches batches = onCluster;
                    heldOut = new HeldOut(batches::evaluate, batches.size());
                    shards = FeatureShards.deal(split.train(), n);
                    shards.persist(StorageLevel.MEMORY_AND_DISK());
                    total = shards.count();
                }
            } else {
                shards = FeatureShards.deal(ordered, n);
                shards.persist(StorageLevel.MEMORY_AND_DISK());
                total = shards.count();
            }
            try {
                int steps = (int) (total / n / cfg.batchSize());
                if (steps < 1) {
                    throw new IllegalArgumentException(total + " training images give no full batch of "
                            + cfg.batchSize() + " on each of " + n + " workers");
                }
                return train(start, shards, heldOut, classes, steps, total);
            } finally {
                shards.unpersist();
            }
        } finally {
            if (onCluster != null) {
                onCluster.close();
            }
        }
    }

    /**
     * What the driver scores each epoch's weights with: the held-out images scored on the cluster
     * ({@link HeldOutBatches}), or a given validation dataset scored on the driver.
     */
    private record HeldOut(java.util.function.Function<BackboneBroadcast, ClassificationMetrics> scores,
                           long size) {
        ClassificationMetrics evaluate(BackboneBroadcast model) {
            return scores.apply(model);
        }
    }

    private HeldOut onDriver(Dataset data, int classes) {
        return new HeldOut(model -> {
            Classifier m = ExecutorModels.fresh(model);
            return Evaluation.evaluate(m, data, cfg.batchSize(), m.parameters().getFirst().backend(), null, classes);
        }, data.size());
    }

    private Result train(BackboneBroadcast start, JavaRDD<Row> shards, HeldOut heldOut, List<String> classes,
                         int steps, long trainImages) {
        LrSchedule schedule = Schedules.parse(cfg.schedule(), (long) cfg.epochs() * steps);
        EarlyStopping stopping = new EarlyStopping(cfg.monitor(), cfg.patience());
        BackboneBroadcast best = null;
        if (heldOut != null && trainedStart) {
            stopping.observe(-1, heldOut.evaluate(start));
            best = start;
        }
        EpochInput state = new EpochInput(start, null, 0, new ArrayList<>(classes), new HashMap<>(schedule.state()));
        List<Epoch> history = new ArrayList<>();
        int retries = 0;
        boolean stoppedEarly = false;
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
            BackboneBroadcast weights = state.model().withWeights(r0.weights(), start.backboneHash() + "-e" + e);
            double lr = cfg.lr() * schedule.factor(r0.steps() - 1);
            ClassificationMetrics val = null;
            if (heldOut != null) {
                val = heldOut.evaluate(weights);
                schedule.observe(val.loss());
                if (stopping.observe(e, val)) {
                    best = weights;
                }
            }
            state = new EpochInput(weights, r0.optimizer(), r0.steps(), state.classes(),
                    new HashMap<>(schedule.state()));
            checkpoint(state, e);
            double loss = ranks.stream().mapToDouble(ReplicaState::trainLoss).average().orElse(Double.NaN);
            history.add(new Epoch(e, loss, val, lr, attempt + 1, (System.nanoTime() - t0) / 1e9, ranks));
            if (stopping.shouldStop()) {
                stoppedEarly = true;
                break;
            }
        }
        boolean keepBest = cfg.restoreBest() && best != null;
        return new Result(keepBest ? best : state.model(), history, stopping.bestEpoch(), stopping.best(),
                stoppedEarly, keepBest, retries, steps, trainImages, heldOut == null ? 0 : (int) heldOut.size());
    }

    private void checkCluster() {
        BarrierStages.checkCluster(spark, cfg.workers(), "data-parallel fine-tuning");
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
            AtomicFiles.write(checkpoints.resolve(String.format("epoch-%04d.schedule.json", epoch)),
                    JSON.writeValueAsBytes(state.schedule()));
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
            Path lr = checkpoints.resolve(String.format("epoch-%04d.schedule.json", epoch - 1));
            HashMap<String, Double> schedule = new HashMap<>();
            JSON.readTree(lr.toFile()).properties().forEach(e -> schedule.put(e.getKey(), e.getValue().asDouble()));
            return new EpochInput(current.model().withWeights(Files.readAllBytes(w), current.model().backboneHash()),
                    Files.readAllBytes(o), Long.parseLong(Files.readString(s).trim()), current.classes(), schedule);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the checkpoint of epoch " + (epoch - 1) + ": " + e.getMessage(), e);
        }
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
