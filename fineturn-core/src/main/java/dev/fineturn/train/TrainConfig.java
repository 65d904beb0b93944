package dev.fineturn.train;

import dev.fineturn.data.Transform;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Training settings. {@link #defaultsFor(Strategy)} follows the transfer recipe (the Keras guide,
 * fastai's {@code fine_tune}):
 * <ul>
 *   <li>features: the frozen backbone's features are standardised and a multinomial logistic
 *   regression is fitted to convergence (L-BFGS), its L2 strength chosen by k-fold
 *   cross-validation on the training data;</li>
 *   <li>head, partial, full: first that same convex fit gives the new head its weights, then the
 *   trainable layers are trained at low, layer-wise decaying rates (at most 1e-4 for pretrained
 *   layers, the lowest trainable block a tenth of the top one), batch norm of the pretrained part
 *   in inference mode, the rate decaying on a cosine schedule, for up to {@code epochs} epochs with
 *   early stopping; the best epoch's weights are kept (the probe-initialised start counts, so
 *   fine-tuning never ends below it on validation);</li>
 *   <li>scratch: everything at 1e-3.</li>
 * </ul>
 *
 * @param lr               the head's learning rate (and the whole model's when training from scratch)
 * @param backboneLrFactor the top backbone block's rate = lr x this, for pretrained strategies
 * @param schedule         a {@link dev.fineturn.optim.schedule.Schedules} spec, e.g. "cosine", "step:100:0.5"
 * @param monitor          validation metric for early stopping and the best checkpoint: accuracy, loss, top5, f1
 * @param patience         epochs without improvement before stopping; 0 disables early stopping
 * @param clipNorm         gradient-norm clipping threshold; 0 disables it
 * @param divergenceFactor a loss above this multiple of the first loss counts as diverged
 * @param checkpointEvery  also checkpoint every this many steps inside an epoch (0: at epoch ends only)
 * @param headSolver       how the features strategy fits its head: the convex solver or epochs of SGD
 * @param headHidden       hidden units of an MLP head for the features strategy (0: a linear head)
 * @param probeFolds       folds of the cross-validation that chooses the convex head's L2 strength
 * @param probeInitHead    head, partial and full start from the convex head fitted on frozen features
 * @param frozenBatchNorm  batch norm of pretrained layers normalises with its running statistics
 * @param layerLrSpan      the lowest trainable block's rate relative to the top block's (1: one rate)
 * @param evalTransform    the deterministic transform for validation, feature extraction and prediction (e.g.
 *                         resize and centre crop); training uses it too when there is no {@code trainTransform}
 * @param keepCheckpoints  how many of the newest checkpoints to keep (the best weights are kept apart)
 */
public record TrainConfig(int epochs, int batchSize, long seed, double validationFraction,
                          OptimizerKind optimizer, double lr, double backboneLrFactor, double momentum,
                          double weightDecay, String schedule, double labelSmoothing, double clipNorm,
                          String monitor, int patience, boolean restoreBest, Path checkpointDir,
                          int checkpointEvery, boolean resume, double divergenceFactor, Transform trainTransform,
                          Path featureCacheDir, HeadSolver headSolver, int headHidden, int probeFolds,
                          boolean probeInitHead, boolean frozenBatchNorm, double layerLrSpan,
                          Transform evalTransform, int keepCheckpoints) {

    /** Which optimiser to build. */
    public enum OptimizerKind { SGD, ADAMW }

    /** How the features strategy fits its head. */
    public enum HeadSolver { LBFGS, SGD }

    public TrainConfig {
        if (epochs < 1 || batchSize < 1) {
            throw new IllegalArgumentException("train: epochs (" + epochs + ") and batch size (" + batchSize
                    + ") must be positive");
        }
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException("train: learning rate must be positive, got " + lr);
        }
        if (validationFraction < 0 || validationFraction >= 1) {
            throw new IllegalArgumentException("train: validation fraction " + validationFraction
                    + " must be in [0, 1)");
        }
        if (!List.of("loss", "accuracy", "top1", "top5", "f1").contains(monitor)) {
            throw new IllegalArgumentException("train: unknown monitor metric '" + monitor
                    + "'; known: loss, accuracy, top1, top5, f1");
        }
        if (headHidden < 0 || probeFolds < 2) {
            throw new IllegalArgumentException("train: hidden units (" + headHidden + ") must be >= 0 and probe "
                    + "folds (" + probeFolds + ") >= 2");
        }
        if (headHidden > 0 && headSolver == HeadSolver.LBFGS) {
            throw new IllegalArgumentException("train: an MLP head (" + headHidden + " hidden units) is trained "
                    + "with SGD; the convex solver fits linear heads");
        }
        if (keepCheckpoints < 1) {
            throw new IllegalArgumentException("train: keep checkpoints " + keepCheckpoints + " must be at least 1");
        }
        if (!(layerLrSpan > 0 && layerLrSpan <= 1)) {
            throw new IllegalArgumentException("train: layer learning-rate span " + layerLrSpan + " must be in (0, 1]");
        }
    }

    /** What training batches go through: the training transform, else the evaluation transform. */
    public Transform trainingTransform() {
        return trainTransform != null ? trainTransform : evalTransform;
    }

    /** A copy whose validation, features and prediction go through {@code v}. */
    public TrainConfig withEvalTransform(Transform v) {
        return with(b -> b.evalTransform = v);
    }

    public static TrainConfig defaultsFor(Strategy strategy) {
        boolean scratch = strategy.kind() == Strategy.Kind.SCRATCH;
        return new TrainConfig(scratch ? 10 : 15, 32, 0, 0.2, OptimizerKind.ADAMW, 1e-3, scratch ? 1.0 : 0.1, 0.9,
                1e-4, "cosine", 0.0, 0.0, "accuracy", scratch ? 0 : 4, true, null, 0, false, 1e3, null, null,
                HeadSolver.LBFGS, 0, 5, !scratch, !scratch, scratch ? 1.0 : 0.1, null,
                Checkpoint.DEFAULT_KEEP);
    }

    /** A copy with the settings {@code change} makes on a builder; adding a setting touches one place. */
    public TrainConfig with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    public TrainConfig withEpochs(int v) {
        return with(b -> b.epochs = v);
    }

    public TrainConfig withBatchSize(int v) {
        return with(b -> b.batchSize = v);
    }

    public TrainConfig withSeed(long v) {
        return with(b -> b.seed = v);
    }

    public TrainConfig withValidationFraction(double v) {
        return with(b -> b.validationFraction = v);
    }

    public TrainConfig withOptimizer(OptimizerKind v, double lr, double backboneLrFactor) {
        return with(b -> {
            b.optimizer = v;
            b.lr = lr;
            b.backboneLrFactor = backboneLrFactor;
        });
    }

    public TrainConfig withSchedule(String v) {
        return with(b -> b.schedule = v);
    }

    public TrainConfig withRegularisation(double weightDecay, double labelSmoothing, double clipNorm) {
        return with(b -> {
            b.weightDecay = weightDecay;
            b.labelSmoothing = labelSmoothing;
            b.clipNorm = clipNorm;
        });
    }

    public TrainConfig withEarlyStopping(String monitor, int patience, boolean restoreBest) {
        return with(b -> {
            b.monitor = monitor;
            b.patience = patience;
            b.restoreBest = restoreBest;
        });
    }

    public TrainConfig withCheckpoints(Path dir, int everySteps, boolean resume) {
        return with(b -> {
            b.checkpointDir = dir;
            b.checkpointEvery = everySteps;
            b.resume = resume;
        });
    }

    public TrainConfig withTrainTransform(Transform v) {
        return with(b -> b.trainTransform = v);
    }

    public TrainConfig withFeatureCacheDir(Path v) {
        return with(b -> b.featureCacheDir = v);
    }

    /** The features strategy's head: the convex solver (hidden 0), or SGD with {@code hidden} units (0: linear). */
    public TrainConfig withHead(HeadSolver solver, int hidden) {
        return with(b -> {
            b.headSolver = solver;
            b.headHidden = hidden;
        });
    }

    /** Every field of a {@link TrainConfig}, settable; {@link #build} checks them. */
    public static final class Builder {
        public int epochs;
        public int batchSize;
        public long seed;
        public double validationFraction;
        public OptimizerKind optimizer;
        public double lr;
        public double backboneLrFactor;
        public double momentum;
        public double weightDecay;
        public String schedule;
        public double labelSmoothing;
        public double clipNorm;
        public String monitor;
        public int patience;
        public boolean restoreBest;
        public Path checkpointDir;
        public int checkpointEvery;
        public boolean resume;
        public double divergenceFactor;
        public Transform trainTransform;
        public Path featureCacheDir;
        public HeadSolver headSolver;
        public int headHidden;
        public int probeFolds;
        public boolean probeInitHead;
        public boolean frozenBatchNorm;
        public double layerLrSpan;
        public Transform evalTransform;
        public int keepCheckpoints;

        Builder(TrainConfig c) {
            epochs = c.epochs;
            batchSize = c.batchSize;
            seed = c.seed;
            validationFraction = c.validationFraction;
            optimizer = c.optimizer;
            lr = c.lr;
            backboneLrFactor = c.backboneLrFactor;
            momentum = c.momentum;
            weightDecay = c.weightDecay;
            schedule = c.schedule;
            labelSmoothing = c.labelSmoothing;
            clipNorm = c.clipNorm;
            monitor = c.monitor;
            patience = c.patience;
            restoreBest = c.restoreBest;
            checkpointDir = c.checkpointDir;
            checkpointEvery = c.checkpointEvery;
            resume = c.resume;
            divergenceFactor = c.divergenceFactor;
            trainTransform = c.trainTransform;
            featureCacheDir = c.featureCacheDir;
            headSolver = c.headSolver;
            headHidden = c.headHidden;
            probeFolds = c.probeFolds;
            probeInitHead = c.probeInitHead;
            frozenBatchNorm = c.frozenBatchNorm;
            layerLrSpan = c.layerLrSpan;
            evalTransform = c.evalTransform;
            keepCheckpoints = c.keepCheckpoints;
        }

        public TrainConfig build() {
            return new TrainConfig(epochs, batchSize, seed, validationFraction, optimizer, lr, backboneLrFactor,
                    momentum, weightDecay, schedule, labelSmoothing, clipNorm, monitor, patience, restoreBest,
                    checkpointDir, checkpointEvery, resume, divergenceFactor, trainTransform, featureCacheDir,
                    headSolver, headHidden, probeFolds, probeInitHead, frozenBatchNorm, layerLrSpan,
                    evalTransform, keepCheckpoints);
        }
    }
}
