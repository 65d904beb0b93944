package dev.fineturn.spark;

import dev.fineturn.data.InMemoryDataset;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Flatten;
import dev.fineturn.nn.Linear;
import dev.fineturn.nn.MlpHead;
import dev.fineturn.nn.Sequential;
import dev.fineturn.optim.schedule.LrSchedule;
import dev.fineturn.optim.schedule.Schedules;
import dev.fineturn.spi.Backend;
import dev.fineturn.train.ClassificationMetrics;
import dev.fineturn.train.Evaluation;
import dev.fineturn.train.StandardizedFeatures;
import dev.fineturn.train.Strategy;
import dev.fineturn.train.TrainConfig;
import dev.fineturn.train.TransferSetup;
import dev.fineturn.train.linear.Standardizer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import scala.reflect.ClassTag$;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;

/**
 * Trains an MLP head ({@code --head mlp:H} of the local features strategy) on a feature table by
 * data-parallel SGD: one barrier stage per epoch, rank r on shard r (every n-th training row in
 * local order), the gradient averaged over all ranks' rows with the ring all-reduce each step, the
 * same optimiser step on every rank. The settings are the local {@link TrainConfig}'s: {@code epochs},
 * {@code batchSize} (rows per step and rank), {@code seed}, {@code optimizer}, {@code lr},
 * {@code momentum}, {@code weightDecay}, {@code schedule}, {@code labelSmoothing}, {@code clipNorm},
 * {@code headHidden}, and for validation {@code validationFraction}, {@code monitor}, {@code patience}
 * and {@code restoreBest}.
 * <p>
 * Validation rows come from {@link #validation(String)}, a held-out feature table, or else, when
 * {@code validationFraction > 0}, from the local trainer's split ({@code Datasets.split} with the
 * config's fraction and seed) of the table's rows in local order, which holds out the same images as
 * a local run on the image folder. Validation rows never train and do not enter the standardisation.
 * <p>
 * The driver scores the head on the validation rows after every epoch, with the local
 * {@link Evaluation} (cross-entropy without smoothing, batches of {@code batchSize}). It runs there, not
 * as a Spark job: the rows are feature vectors, a fraction of the table, collected once; one forward
 * pass of a small MLP over them costs less than scheduling a job, needs no second broadcast of the
 * weights (the driver already holds them from rank 0), and gives the local trainer's numbers bit for
 * bit. The best epoch and early stopping follow the local trainer ({@link EarlyStopping}); a plateau
 * schedule observes the validation loss on the driver and its state travels with the next epoch.
 * <p>
 * As locally, the features are standardised by their population moments over the training rows and
 * the standardisation is folded into the first layer afterwards, so the model takes raw features.
 * Every rank takes as many steps per epoch as the smallest shard has batches (the partial last one
 * included); with one worker that is every batch and the result equals the local trainer's, bit for
 * bit, validation included.
 */
public final class SparkMlpHeadTrainer {
    private final SparkSession spark;
    private final TrainConfig cfg;
    private final int workers;
    private String ports = "0";
    private int timeoutMs = 60_000;
    private String validationTable;

    public SparkMlpHeadTrainer(SparkSession spark, TrainConfig cfg, int workers) {
        if (cfg.headHidden() < 1) {
            throw new IllegalArgumentException("MLP head: the config has no hidden layer (headHidden "
                    + cfg.headHidden() + "); a linear head is SparkHeadTrainer's");
        }
        if (workers < 1) {
            throw new IllegalArgumentException("MLP head: " + workers + " workers");
        }
        this.spark = spark;
        this.cfg = cfg;
        this.workers = workers;
    }

    /** The ring's port range on each executor ("0": any free port, or "from-to") and its timeout. */
    public SparkMlpHeadTrainer ring(String portRange, int timeout) {
        this.ports = portRange;
        this.timeoutMs = timeout;
        return this;
    }

    /**
     * Validates on this feature table (features of other images by the same backbone, cut,
     * preprocessing and input size, with the same classes) instead of a split of the training table;
     * every row of the training table then trains.
     */
    public SparkMlpHeadTrainer validation(String table) {
        this.validationTable = Objects.requireNonNull(table, "validation table");
        return this;
    }

    /**
     * One epoch as the driver saw it.
     *
     * @param trainLoss  the mean training loss over all ranks' rows
     * @param validation the head's scores on the validation rows after the epoch, null without validation
     */
    public record Epoch(int epoch, double trainLoss, ClassificationMetrics validation, double seconds,
                        List<ReplicaState> ranks) {
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
     * @param head           the trained head, on raw features (also installed in the model): the best
     *                       epoch's weights when validating with {@code restoreBest}, else the last epoch's
     * @param standardizer   the standardisation it was trained under, now folded into its first layer
     * @param stepsPerEpoch  steps every rank took per epoch
     * @param history        every epoch run
     * @param bestEpoch      the epoch (0-based) with the best validation by {@code monitor}; -1 without validation
     * @param best           that epoch's validation scores, null without validation
     * @param stoppedEarly   training stopped after {@code patience} epochs without improvement
     * @param trainRows      rows that trained
     * @param validationRows rows that validated (0: none)
     * @param keptBest       the head holds the best epoch's weights ({@code restoreBest} with validation)
     */
    public record Result(MlpHead head, Standardizer standardizer, int stepsPerEpoch, List<Epoch> history,
                         int bestEpoch, ClassificationMetrics best, boolean stoppedEarly, long trainRows,
                         int validationRows, boolean keptBest) {
        /** The epoch (0-based) whose weights the head holds. */
        public int keptEpoch() {
            return keptBest ? bestEpoch : history.size() - 1;
        }
    }

    /**
     * Gives {@code model} a fresh MLP head for the table's classes as the local trainer does
     * ({@link TransferSetup#apply} with the features strategy: the model is frozen, the head drawn
     * from {@link dev.fineturn.nn.Init}'s generator), trains it on the table's training rows and
     * leaves the trained head in the model, which then applies to images.
     */
    public Result fit(Classifier model, String table) {
        BarrierStages.checkCluster(spark, workers, "MLP head training");
        FeatureMetadata meta = FeatureTables.metadata(spark, table);
        int d = FeatureTables.featureSize(spark, table);
        if (model.featureSize() != d) {
            throw new IllegalArgumentException("MLP head: the table " + table + " holds " + d + " features, the model "
                    + "gives " + model.featureSize());
        }
        int classes = meta.classes().size();
        InMemoryDataset heldOut = validationTable == null ? null : heldOutTable(table, meta, d);
        TransferSetup.apply(model, Strategy.FEATURES, classes, cfg);
        MlpHead head = (MlpHead) model.headBlock();
        Backend backend = head.parameters().getFirst().backend();
        LocalSplit.Parts split = null;
        JavaRDD<Row> shards;
        if (heldOut == null && cfg.validationFraction() > 0) {
            split = LocalSplit.of(spark, FeatureShards.inLocalOrder(spark, table), cfg.validationFraction(),
                    cfg.seed());
            heldOut = FeatureShards.dataset(split.validation(), d, classes);
            shards = FeatureShards.deal(split.train(), workers);
        } else {
            shards = FeatureShards.of(spark, table, workers);
        }
        shards.persist(StorageLevel.MEMORY_AND_DISK());
        try {
            long[] sizes;
            try {
                sizes = FeatureShards.sizes(shards);
            } finally {
                if (split != null) {
                    split.close();
                }
            }
            long smallest = Arrays.stream(sizes).min().orElse(0);
            long trainRows = Arrays.stream(sizes).sum();
            if (smallest == 0) {
                throw new IllegalArgumentException("MLP head: " + trainRows + " training rows leave a shard of "
                        + workers + " workers empty");
            }
            int steps = (int) ((smallest + cfg.batchSize() - 1) / cfg.batchSize());
            Standardizer st = FeatureShards.moments(shards, d);
            InMemoryDataset validation = heldOut == null ? null : new StandardizedFeatures(st).apply(heldOut);
            return train(model, head, backend, shards, st, validation, d, classes, steps, trainRows);
        } finally {
            shards.unpersist();
        }
    }

    private Result train(Classifier model, MlpHead head, Backend backend, JavaRDD<Row> shards, Standardizer st,
                         InMemoryDataset validation, int d, int classes, int steps, long trainRows) {
        Sequential scored = new Sequential(new Flatten(), head);
        LrSchedule schedule = Schedules.parse(cfg.schedule(), (long) cfg.epochs() * steps);
        EarlyStopping stopping = new EarlyStopping(cfg.monitor(), cfg.patience());
        HeadSgdSettings settings = HeadSgdSettings.of(cfg);
        byte[] weights = BackboneBroadcast.safetensorsBytes(head.stateDict());
        byte[] optimizer = null;
        byte[] bestWeights = null;
        long done = 0;
        boolean stoppedEarly = false;
        List<Epoch> history = new ArrayList<>();
        for (int e = 0; e < cfg.epochs(); e++) {
            long t0 = System.nanoTime();
            MlpEpochInput in = new MlpEpochInput(weights, optimizer, done, d, head.hidden(), classes, st.mean(),
                    st.std(), backend.name(), steps, new HashMap<>(schedule.state()));
            Broadcast<MlpEpochInput> b = spark.sparkContext().broadcast(in,
                    ClassTag$.MODULE$.apply(MlpEpochInput.class));
            List<ReplicaState> ranks;
            try {
                ranks = BarrierStages.run(shards, new MlpHeadEpoch(b, settings, e, ports, timeoutMs,
                        RingAllReduce.token()));
            } finally {
                b.destroy();
            }
            ReplicaState r0 = BarrierStages.rank0(ranks);
            weights = r0.weights();
            optimizer = r0.optimizer();
            done = r0.steps();
            double loss = ranks.stream().mapToDouble(r -> r.trainLoss() * r.images()).sum()
                    / ranks.stream().mapToLong(ReplicaState::images).sum();
            ClassificationMetrics val = null;
            if (validation != null) {
                MlpHeadEpoch.load(head, weights, backend);
                val = Evaluation.evaluate(scored, validation, cfg.batchSize(), backend, null, classes);
                schedule.observe(val.loss());
                if (stopping.observe(e, val)) {
                    bestWeights = weights;
                }
            }
            history.add(new Epoch(e, loss, val, (System.nanoTime() - t0) / 1e9, ranks));
            if (stopping.shouldStop()) {
                stoppedEarly = true;
                break;
            }
        }
        boolean keepBest = cfg.restoreBest() && bestWeights != null;
        MlpHeadEpoch.load(head, keepBest ? bestWeights : weights, backend);
        new StandardizedFeatures(st).foldInto((Linear) head.layers().getFirst());
        model.eval();
        return new Result(head, st, steps, history, stopping.bestEpoch(), stopping.best(), stoppedEarly, trainRows,
                validation == null ? 0 : validation.size(), keepBest);
    }

    /** The validation table's rows, refused when they are not features of other images by the same backbone. */
    private InMemoryDataset heldOutTable(String table, FeatureMetadata meta, int d) {
        FeatureMetadata v = FeatureTables.metadata(spark, validationTable);
        if (!v.classes().equals(meta.classes())) {
            throw new IllegalArgumentException("MLP head: the validation table " + validationTable + " has classes "
                    + v.classes() + ", the training table " + table + " " + meta.classes());
        }
        if (!v.backboneHash().equals(meta.backboneHash()) || !Objects.equals(v.cut(), meta.cut())
                || !Objects.equals(v.preprocessing(), meta.preprocessing()) || v.inputSize() != meta.inputSize()) {
            throw new IllegalArgumentException("MLP head: the validation table " + validationTable + " holds "
                    + "features of another backbone, cut, preprocessing or input size than the training table "
                    + table);
        }
        if (v.key().equals(meta.key())) {
            throw new IllegalArgumentException("MLP head: the validation table " + validationTable + " holds the "
                    + "features of the same images as the training table " + table + " (key " + v.key() + ")");
        }
        InMemoryDataset rows = FeatureTables.collect(spark, validationTable).data();
        if (rows.size() == 0 || rows.sampleShape()[0] != d) {
            throw new IllegalArgumentException("MLP head: the validation table " + validationTable + " holds "
                    + rows.size() + " rows of " + rows.sampleShape()[0] + " features; the training table's rows "
                    + "have " + d);
        }
        return rows;
    }
}
