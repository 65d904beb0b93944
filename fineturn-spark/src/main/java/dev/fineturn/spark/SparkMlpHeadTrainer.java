package dev.fineturn.spark;

import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Linear;
import dev.fineturn.nn.MlpHead;
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
import java.util.List;

/**
 * Trains an MLP head ({@code --head mlp:H} of the local features strategy) on a feature table by
 * data-parallel SGD: one barrier stage per epoch, rank r on shard r (every n-th row in local order),
 * the gradient averaged over all ranks' rows with the ring all-reduce each step, the same optimiser
 * step on every rank. The settings are the local {@link TrainConfig}'s: {@code epochs},
 * {@code batchSize} (rows per step and rank), {@code seed}, {@code optimizer}, {@code lr},
 * {@code momentum}, {@code weightDecay}, {@code schedule}, {@code labelSmoothing}, {@code clipNorm} and
 * {@code headHidden}. There is no validation split here: every row trains, for {@code epochs} epochs.
 * <p>
 * As locally, the features are standardised by their population moments over all rows and the
 * standardisation is folded into the first layer afterwards, so the model takes raw features. Every
 * rank takes as many steps per epoch as the smallest shard has batches (the partial last one
 * included); with one worker that is every batch and the result equals the local trainer's, bit for
 * bit.
 */
public final class SparkMlpHeadTrainer {
    private final SparkSession spark;
    private final TrainConfig cfg;
    private final int workers;
    private String ports = "0";
    private int timeoutMs = 60_000;

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

    /** One epoch as the driver saw it. */
    public record Epoch(int epoch, double trainLoss, double seconds, List<ReplicaState> ranks) {
    }

    /**
     * @param head          the trained head, on raw features (also installed in the model)
     * @param standardizer  the standardisation it was trained under, now folded into its first layer
     * @param stepsPerEpoch steps every rank took per epoch
     * @param history       every epoch
     */
    public record Result(MlpHead head, Standardizer standardizer, int stepsPerEpoch, List<Epoch> history) {
    }

    /**
     * Gives {@code model} a fresh MLP head for the table's classes as the local trainer does
     * ({@link TransferSetup#apply} with the features strategy: the model is frozen, the head drawn
     * from {@link dev.fineturn.nn.Init}'s generator), trains it on the table's rows and leaves the
     * trained head in the model, which then applies to images.
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
        TransferSetup.apply(model, Strategy.FEATURES, classes, cfg);
        MlpHead head = (MlpHead) model.headBlock();
        String backend = head.parameters().getFirst().backend().name();
        JavaRDD<Row> shards = FeatureShards.of(spark, table, workers);
        shards.persist(StorageLevel.MEMORY_AND_DISK());
        try {
            long[] sizes = FeatureShards.sizes(shards);
            long smallest = java.util.Arrays.stream(sizes).min().orElse(0);
            if (smallest == 0) {
                throw new IllegalArgumentException("MLP head: " + java.util.Arrays.stream(sizes).sum()
                        + " rows leave a shard of " + workers + " workers empty");
            }
            int steps = (int) ((smallest + cfg.batchSize() - 1) / cfg.batchSize());
            Standardizer st = FeatureShards.moments(shards, d);
            byte[] weights = BackboneBroadcast.safetensorsBytes(head.stateDict());
            byte[] optimizer = null;
            long done = 0;
            HeadSgdSettings settings = HeadSgdSettings.of(cfg);
            List<Epoch> history = new ArrayList<>();
            for (int e = 0; e < cfg.epochs(); e++) {
                long t0 = System.nanoTime();
                MlpEpochInput in = new MlpEpochInput(weights, optimizer, done, d, head.hidden(), classes, st.mean(),
                        st.std(), backend, steps);
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
                history.add(new Epoch(e, loss, (System.nanoTime() - t0) / 1e9, ranks));
            }
            MlpHeadEpoch.load(head, weights, head.parameters().getFirst().backend());
            new StandardizedFeatures(st).foldInto((Linear) head.layers().getFirst());
            model.eval();
            return new Result(head, st, steps, history);
        } finally {
            shards.unpersist();
        }
    }
}
