package dev.fineturn.train;

import dev.fineturn.data.Transform;

import java.nio.file.Path;

/**
 * Training settings. {@link #defaultsFor(Strategy)} follows the transfer recipe: the head learns at
 * 1e-3, a pretrained backbone at a tenth of that (1e-4, about 10x below the from-scratch rate),
 * and the rate decays over training on a cosine schedule.
 *
 * @param lr              the head's learning rate (and the whole model's when training from scratch)
 * @param backboneLrFactor backbone rate = lr x this, for pretrained strategies
 * @param schedule        a {@link dev.fineturn.optim.schedule.Schedules} spec, e.g. "cosine", "step:100:0.5"
 * @param monitor         validation metric for early stopping and the best checkpoint: accuracy, loss, top5, f1
 * @param patience        epochs without improvement before stopping; 0 disables early stopping
 * @param clipNorm        gradient-norm clipping threshold; 0 disables it
 * @param divergenceFactor a loss above this multiple of the first loss counts as diverged
 * @param checkpointEvery also checkpoint every this many steps inside an epoch (0: at epoch ends only)
 */
public record TrainConfig(int epochs, int batchSize, long seed, double validationFraction,
                          OptimizerKind optimizer, double lr, double backboneLrFactor, double momentum,
                          double weightDecay, String schedule, double labelSmoothing, double clipNorm,
                          String monitor, int patience, boolean restoreBest, Path checkpointDir,
                          int checkpointEvery, boolean resume, double divergenceFactor, Transform trainTransform,
                          Path featureCacheDir) {

    /** Which optimiser to build. */
    public enum OptimizerKind { SGD, ADAMW }

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
        ClassificationMetrics.higherIsBetter(monitor);
        if (!java.util.List.of("loss", "accuracy", "top1", "top5", "f1").contains(monitor)) {
            throw new IllegalArgumentException("train: unknown monitor metric '" + monitor
                    + "'; known: loss, accuracy, top1, top5, f1");
        }
    }

    public static TrainConfig defaultsFor(Strategy strategy) {
        boolean scratch = strategy.kind() == Strategy.Kind.SCRATCH;
        return new TrainConfig(5, 32, 0, 0.2, OptimizerKind.ADAMW, 1e-3, scratch ? 1.0 : 0.1, 0.9, 1e-4, "cosine",
                0.0, 0.0, "accuracy", 0, true, null, 0, false, 1e3, null, null);
    }

    public TrainConfig withEpochs(int v) {
        return new TrainConfig(v, batchSize, seed, validationFraction, optimizer, lr, backboneLrFactor, momentum,
                weightDecay, schedule, labelSmoothing, clipNorm, monitor, patience, restoreBest, checkpointDir,
                checkpointEvery, resume, divergenceFactor, trainTransform, featureCacheDir);
    }

    public TrainConfig withBatchSize(int v) {
        return new TrainConfig(epochs, v, seed, validationFraction, optimizer, lr, backboneLrFactor, momentum,
                weightDecay, schedule, labelSmoothing, clipNorm, monitor, patience, restoreBest, checkpointDir,
                checkpointEvery, resume, divergenceFactor, trainTransform, featureCacheDir);
    }

    public TrainConfig withSeed(long v) {
        return new TrainConfig(epochs, batchSize, v, validationFraction, optimizer, lr, backboneLrFactor, momentum,
                weightDecay, schedule, labelSmoothing, clipNorm, monitor, patience, restoreBest, checkpointDir,
                checkpointEvery, resume, divergenceFactor, trainTransform, featureCacheDir);
    }

    public TrainConfig withValidationFraction(double v) {
        return new TrainConfig(epochs, batchSize, seed, v, optimizer, lr, backboneLrFactor, momentum, weightDecay,
                schedule, labelSmoothing, clipNorm, monitor, patience, restoreBest, checkpointDir, checkpointEvery,
                resume, divergenceFactor, trainTransform, featureCacheDir);
    }

    public TrainConfig withOptimizer(OptimizerKind v, double lr, double backboneLrFactor) {
        return new TrainConfig(epochs, batchSize, seed, validationFraction, v, lr, backboneLrFactor, momentum,
                weightDecay, schedule, labelSmoothing, clipNorm, monitor, patience, restoreBest, checkpointDir,
                checkpointEvery, resume, divergenceFactor, trainTransform, featureCacheDir);
    }

    public TrainConfig withSchedule(String v) {
        return new TrainConfig(epochs, batchSize, seed, validationFraction, optimizer, lr, backboneLrFactor, momentum,
                weightDecay, v, labelSmoothing, clipNorm, monitor, patience, restoreBest, checkpointDir,
                checkpointEvery, resume, divergenceFactor, trainTransform, featureCacheDir);
    }

    public TrainConfig withRegularisation(double weightDecay, double labelSmoothing, double clipNorm) {
        return new TrainConfig(epochs, batchSize, seed, validationFraction, optimizer, lr, backboneLrFactor, momentum,
                weightDecay, schedule, labelSmoothing, clipNorm, monitor, patience, restoreBest, checkpointDir,
                checkpointEvery, resume, divergenceFactor, trainTransform, featureCacheDir);
    }

    public TrainConfig withEarlyStopping(String monitor, int patience, boolean restoreBest) {
        return new TrainConfig(epochs, batchSize, seed, validationFraction, optimizer, lr, backboneLrFactor, momentum,
                weightDecay, schedule, labelSmoothing, clipNorm, monitor, patience, restoreBest, checkpointDir,
                checkpointEvery, resume, divergenceFactor, trainTransform, featureCacheDir);
    }

    public TrainConfig withCheckpoints(Path dir, int everySteps, boolean resume) {
        return new TrainConfig(epochs, batchSize, seed, validationFraction, optimizer, lr, backboneLrFactor, momentum,
                weightDecay, schedule, labelSmoothing, clipNorm, monitor, patience, restoreBest, dir, everySteps,
                resume, divergenceFactor, trainTransform, featureCacheDir);
    }

    public TrainConfig withTrainTransform(Transform v) {
        return new TrainConfig(epochs, batchSize, seed, validationFraction, optimizer, lr, backboneLrFactor, momentum,
                weightDecay, schedule, labelSmoothing, clipNorm, monitor, patience, restoreBest, checkpointDir,
                checkpointEvery, resume, divergenceFactor, v, featureCacheDir);
    }

    public TrainConfig withFeatureCacheDir(Path v) {
        return new TrainConfig(epochs, batchSize, seed, validationFraction, optimizer, lr, backboneLrFactor, momentum,
                weightDecay, schedule, labelSmoothing, clipNorm, monitor, patience, restoreBest, checkpointDir,
                checkpointEvery, resume, divergenceFactor, trainTransform, v);
    }
}
