package dev.fineturn.spark;

import dev.fineturn.optim.schedule.Schedules;
import dev.fineturn.train.Strategy;
import dev.fineturn.train.TrainConfig;

import java.io.Serializable;
import java.util.List;
import java.util.function.Consumer;

/**
 * Settings of a data-parallel fine-tuning run.
 *
 * @param workers            barrier tasks (ranks); each needs a free task slot at once
 * @param epochs             most epochs
 * @param batchSize          images per step and rank (the global batch is workers x batchSize)
 * @param optimizer          SGD (with {@code momentum}) or AdamW, built as the local trainer builds it
 * @param lr                 the head's learning rate at the start of the schedule
 * @param backboneLrFactor   the top trainable backbone block's rate = lr x this
 * @param layerLrSpan        the lowest trainable block's rate relative to the top block's, the blocks between
 *                           geometrically between (1: one rate for the backbone)
 * @param momentum           SGD momentum (0: plain SGD)
 * @param weightDecay        weight decay (L2 for SGD, decoupled for AdamW)
 * @param labelSmoothing     label smoothing of the cross-entropy
 * @param clipNorm           the averaged gradient's norm is clipped to this (0: no clipping)
 * @param augment            training images get the standard augmentation ({@code Augmentations.standard}: a
 *                           random resized crop and a horizontal flip), drawn per image from the seed, the rank's
 *                           shard index and the epoch, as the local {@code DataLoader} draws them
 * @param frozen             leading child modules of the network kept frozen (0: train everything)
 * @param schedule           a {@link Schedules} spec ("cosine", "constant", "step:N:G", "exp:G", "onecycle",
 *                           "plateau"), over optimiser steps as the local trainer counts them (epochs x steps
 *                           per epoch); a plateau schedule observes the validation loss
 * @param shuffle            shuffle each shard per epoch in the local {@code DataLoader}'s order (seeded by
 *                           {@code seed} plus the rank, and the epoch)
 * @param seed               the shuffling seed and the validation split's
 * @param validationFraction images held out for validation as the local trainer holds them out
 *                           ({@code Datasets.split} with this fraction and {@code seed} over the images in
 *                           local order), when no validation set is given; 0: none
 * @param monitor            the validation metric for the best epoch and early stopping: accuracy, top1,
 *                           top5, f1 (higher is better) or loss (lower)
 * @param patience           epochs in a row without a better validation score before stopping (0: never)
 * @param restoreBest        the result holds the best epoch's weights (else the last epoch's)
 * @param maxRetries         re-runs of a failed epoch from the last checkpoint before giving up
 * @param ports              the ring's port range on each executor: "0" (any free port) or "from-to"
 * @param timeoutMs          connect and read timeout of the ring
 * @param failRank           for fault tests: this rank throws in the first attempt of {@code failEpoch} (-1: never)
 * @param failEpoch          the epoch in which {@code failRank} throws, after its first step
 * @param averageEvery       0: every step sums the gradients over the ranks (gradient averaging); H &gt; 0: each
 *                           rank takes H steps on its own shard, then the ranks average their weights and
 *                           optimiser state (parameter averaging), and again at the end of every epoch
 */
public record FineTuneConfig(int workers, int epochs, int batchSize, TrainConfig.OptimizerKind optimizer, double lr,
                             double backboneLrFactor, double layerLrSpan, double momentum, double weightDecay,
                             double labelSmoothing, double clipNorm, boolean augment, int frozen, String schedule, boolean shuffle, long seed, double validationFraction,
                             String monitor, int patience, boolean restoreBest, int maxRetries, String ports,
                             int timeoutMs, int failRank, int failEpoch, int averageEvery) implements Serializable {
    public FineTuneConfig {
        if (averageEvery < 0) {
            throw new IllegalArgumentException("fine-tuning: average every " + averageEvery
                    + " steps; 0 averages gradients every step, H > 0 parameters every H steps");
        }
        if (optimizer == null) {
            throw new IllegalArgumentException("fine-tuning: no optimiser; expected SGD or ADAMW");
        }
        if (!(backboneLrFactor > 0) || !(layerLrSpan > 0 && layerLrSpan <= 1) || !(labelSmoothing >= 0
                && labelSmoothing < 1) || !(clipNorm >= 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException(String.format("fine-tuning: backbone rate factor %s must be positive, "
                    + "layer rate span %s in (0, 1], label smoothing %s in [0, 1), clip norm %s and weight decay %s "
                    + "not negative", backboneLrFactor, layerLrSpan, labelSmoothing, clipNorm, weightDecay));
        }
        if (workers < 1 || epochs < 1 || batchSize < 1 || !(lr > 0) || momentum < 0 || maxRetries < 0
                || timeoutMs < 1 || patience < 0) {
            throw new IllegalArgumentException(String.format("fine-tuning: workers %d, epochs %d, batch %d, lr %s, "
                            + "momentum %s, retries %d, timeout %d ms, patience %d must not be negative (the first "
                            + "four and the timeout positive)", workers, epochs, batchSize, lr, momentum, maxRetries,
                    timeoutMs, patience));
        }
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("fine-tuning: validation fraction " + validationFraction
                    + " must be in [0, 1)");
        }
        if (!MONITORS.contains(monitor)) {
            throw new IllegalArgumentException("fine-tuning: unknown monitor metric '" + monitor + "'; known: "
                    + String.join(", ", MONITORS));
        }
        try {
            Schedules.parse(schedule, 1);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("fine-tuning: " + e.getMessage(), e);
        }
    }

    private static final List<String> MONITORS = List.of("loss", "accuracy", "top1", "top5", "f1");

    /**
     * Defaults: SGD with momentum 0.9 at 1e-3 for every trainable layer, cosine, shuffled, no
     * augmentation; no validation split (give one with {@link #withValidation}, or a validation set
     * to {@link SparkFineTuner#validation}); when validating, accuracy monitored, patience 4 and the
     * best epoch's weights kept, as the local trainer; 2 retries, any port, 60 s.
     * {@link #recipe} gives the local trainer's transfer recipe instead.
     */
    public static FineTuneConfig defaults(int workers, int epochs, int batchSize) {
        return new FineTuneConfig(workers, epochs, batchSize, TrainConfig.OptimizerKind.SGD, 1e-3, 1, 1, 0.9, 0, 0, 0,
                false, 0, "cosine", true, 0L, 0, "accuracy", 4, true, 2, "0", 60_000, -1, -1, 0);
    }

    /**
     * The local trainer's settings for {@code local}'s optimiser (kind, head rate, the backbone's
     * layer-wise rates, momentum, weight decay), loss (label smoothing), clipping, schedule, epochs,
     * batch size (per worker), seed, validation split, monitor, patience and best-epoch restore, with
     * the leading {@code frozen} blocks frozen. Augmentation is not taken from {@code local}'s
     * training transform (a transform does not travel to the executors); set it with
     * {@link #withAugmentation}. {@code TrainConfig.defaultsFor(Strategy.partial(k))} gives the
     * transfer recipe: AdamW, the head at 1e-3, the top backbone block at 1e-4, the lowest a tenth of it.
     */
    public static FineTuneConfig recipe(int workers, TrainConfig local, int frozen) {
        return defaults(workers, local.epochs(), local.batchSize()).with(b -> {
            b.optimizer = local.optimizer();
            b.lr = local.lr();
            b.backboneLrFactor = local.backboneLrFactor();
            b.layerLrSpan = local.layerLrSpan();
            b.momentum = local.momentum();
            b.weightDecay = local.weightDecay();
            b.labelSmoothing = local.labelSmoothing();
            b.clipNorm = local.clipNorm();
            b.frozen = frozen;
            b.schedule = local.schedule();
            b.seed = local.seed();
            b.validationFraction = local.validationFraction();
            b.monitor = local.monitor();
            b.patience = local.patience();
            b.restoreBest = local.restoreBest();
        });
    }

    /**
     * The optimiser part of these settings as a local {@link TrainConfig}, for
     * {@code TransferSetup.groups} and {@code TransferSetup.optimizer}.
     */
    public TrainConfig optimizerSettings() {
        return TrainConfig.defaultsFor(Strategy.FULL).with(b -> {
            b.optimizer = optimizer;
            b.lr = lr;
            b.backboneLrFactor = backboneLrFactor;
            b.layerLrSpan = layerLrSpan;
            b.momentum = momentum;
            b.weightDecay = weightDecay;
        });
    }

    /** A copy with the settings {@code change} makes on a builder. */
    public FineTuneConfig with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    public FineTuneConfig withLr(double v) {
        return with(b -> b.lr = v);
    }

    public FineTuneConfig withMomentum(double v) {
        return with(b -> b.momentum = v);
    }

    /** The standard augmentation of the training images (random resized crop and flip), or none. */
    public FineTuneConfig withAugmentation(boolean on) {
        return with(b -> b.augment = on);
    }

    public FineTuneConfig withFrozen(int k) {
        return with(b -> b.frozen = k);
    }

    public FineTuneConfig withSchedule(String s, boolean shuffled) {
        return with(b -> {
            b.schedule = s;
            b.shuffle = shuffled;
        });
    }

    public FineTuneConfig withRing(String portRange, int timeout) {
        return with(b -> {
            b.ports = portRange;
            b.timeoutMs = timeout;
        });
    }

    public FineTuneConfig withFault(int rank, int epoch) {
        return with(b -> {
            b.failRank = rank;
            b.failEpoch = epoch;
        });
    }

    public FineTuneConfig withSeed(long s) {
        return with(b -> b.seed = s);
    }

    /** Holds out {@code fraction} of the images as the local trainer does (0: no split). */
    public FineTuneConfig withValidation(double fraction) {
        return with(b -> b.validationFraction = fraction);
    }

    /** The best epoch by {@code monitor}, stopping after {@code patience} epochs without one, kept or not. */
    public FineTuneConfig withEarlyStopping(String monitor, int patience, boolean restoreBest) {
        return with(b -> {
            b.monitor = monitor;
            b.patience = patience;
            b.restoreBest = restoreBest;
        });
    }

    /**
     * Parameter averaging every {@code h} local steps (for slow networks: a rank sends its weights and
     * optimiser state once per {@code h} steps instead of its gradient every step); 0 goes back to
     * gradient averaging.
     */
    public FineTuneConfig withParameterAveraging(int h) {
        return with(b -> b.averageEvery = h);
    }

    /** Every field of a {@link FineTuneConfig}, settable; {@link #build} checks them. */
    public static final class Builder {
        public int workers;
        public int epochs;
        public int batchSize;
        public TrainConfig.OptimizerKind optimizer;
        public double lr;
        public double backboneLrFactor;
        public double layerLrSpan;
        public double momentum;
        public double weightDecay;
        public double labelSmoothing;
        public double clipNorm;
        public boolean augment;
        public int frozen;
        public String schedule;
        public boolean shuffle;
        public long seed;
        public double validationFraction;
        public String monitor;
        public int patience;
        public boolean restoreBest;
        public int maxRetries;
        public String ports;
        public int timeoutMs;
        public int failRank;
        public int failEpoch;
        public int averageEvery;

        Builder(FineTuneConfig c) {
            workers = c.workers;
            epochs = c.epochs;
            batchSize = c.batchSize;
            optimizer = c.optimizer;
            lr = c.lr;
            backboneLrFactor = c.backboneLrFactor;
            layerLrSpan = c.layerLrSpan;
            momentum = c.momentum;
            weightDecay = c.weightDecay;
            labelSmoothing = c.labelSmoothing;
            clipNorm = c.clipNorm;
            augment = c.augment;
            frozen = c.frozen;
            schedule = c.schedule;
            shuffle = c.shuffle;
            seed = c.seed;
            validationFraction = c.validationFraction;
            monitor = c.monitor;
            patience = c.patience;
            restoreBest = c.restoreBest;
            maxRetries = c.maxRetries;
            ports = c.ports;
            timeoutMs = c.timeoutMs;
            failRank = c.failRank;
            failEpoch = c.failEpoch;
            averageEvery = c.averageEvery;
        }

        public FineTuneConfig build() {
            return new FineTuneConfig(workers, epochs, batchSize, optimizer, lr, backboneLrFactor, layerLrSpan, momentum,
                    weightDecay, labelSmoothing, clipNorm, augment, frozen, schedule, shuffle, seed, validationFraction, monitor, patience, restoreBest, maxRetries, ports, timeoutMs, failRank,
                    failEpoch, averageEvery);
        }
    }
}
