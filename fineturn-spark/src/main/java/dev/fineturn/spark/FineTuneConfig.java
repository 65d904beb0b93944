package dev.fineturn.spark;

import java.io.Serializable;

/**
 * Settings of a data-parallel fine-tuning run.
 *
 * @param workers     barrier tasks (ranks); each needs a free task slot at once
 * @param epochs      most epochs
 * @param batchSize   images per step and rank (the global batch is workers x batchSize)
 * @param lr          learning rate at the start of the schedule
 * @param momentum    SGD momentum (0: plain SGD)
 * @param weightDecay L2 weight decay
 * @param frozen      leading child modules of the network kept frozen (0: train everything)
 * @param schedule    "constant" or "cosine" (per epoch, over {@code epochs})
 * @param shuffle     shuffle each shard per epoch (seeded by {@code seed} and the epoch)
 * @param seed        the shuffling seed
 * @param patience    epochs without a better validation accuracy before stopping (0: never)
 * @param maxRetries  re-runs of a failed epoch from the last checkpoint before giving up
 * @param ports       the ring's port range on each executor: "0" (any free port) or "from-to"
 * @param timeoutMs   connect and read timeout of the ring
 * @param failRank    for fault tests: this rank throws in the first attempt of {@code failEpoch} (-1: never)
 * @param failEpoch   the epoch in which {@code failRank} throws, after its first step
 * @param averageEvery 0: every step sums the gradients over the ranks (gradient averaging); H &gt; 0: each rank
 *                    takes H steps on its own shard, then the ranks average their weights and optimiser state
 *                    (parameter averaging), and again at the end of every epoch
 */
public record FineTuneConfig(int workers, int epochs, int batchSize, double lr, double momentum, double weightDecay,
                             int frozen, String schedule, boolean shuffle, long seed, int patience, int maxRetries,
                             String ports, int timeoutMs, int failRank, int failEpoch, int averageEvery)
        implements Serializable {
    public FineTuneConfig {
        if (averageEvery < 0) {
            throw new IllegalArgumentException("fine-tuning: average every " + averageEvery
                    + " steps; 0 averages gradients every step, H > 0 parameters every H steps");
        }
        if (workers < 1 || epochs < 1 || batchSize < 1 || !(lr > 0) || momentum < 0 || maxRetries < 0
                || timeoutMs < 1) {
            throw new IllegalArgumentException(String.format("fine-tuning: workers %d, epochs %d, batch %d, lr %s, "
                            + "momentum %s, retries %d, timeout %d ms must all be positive", workers, epochs, batchSize,
                    lr, momentum, maxRetries, timeoutMs));
        }
        if (!schedule.equals("constant") && !schedule.equals("cosine")) {
            throw new IllegalArgumentException("fine-tuning schedule '" + schedule + "': expected constant or cosine");
        }
    }

    /** Defaults: SGD with momentum 0.9 at 1e-3, cosine, shuffled, patience 4, 2 retries, any port, 60 s. */
    public static FineTuneConfig defaults(int workers, int epochs, int batchSize) {
        return new FineTuneConfig(workers, epochs, batchSize, 1e-3, 0.9, 0, 0, "cosine", true, 0L, 4, 2, "0",
                60_000, -1, -1, 0);
    }

    public FineTuneConfig withLr(double v) {
        return new FineTuneConfig(workers, epochs, batchSize, v, momentum, weightDecay, frozen, schedule, shuffle,
                seed, patience, maxRetries, ports, timeoutMs, failRank, failEpoch, averageEvery);
    }

    public FineTuneConfig withMomentum(double v) {
        return new FineTuneConfig(workers, epochs, batchSize, lr, v, weightDecay, frozen, schedule, shuffle, seed,
                patience, maxRetries, ports, timeoutMs, failRank, failEpoch, averageEvery);
    }

    public FineTuneConfig withFrozen(int k) {
        return new FineTuneConfig(workers, epochs, batchSize, lr, momentum, weightDecay, k, schedule, shuffle, seed,
                patience, maxRetries, ports, timeoutMs, failRank, failEpoch, averageEvery);
    }

    public FineTuneConfig withSchedule(String s, boolean shuffled) {
        return new FineTuneConfig(workers, epochs, batchSize, lr, momentum, weightDecay, frozen, s, shuffled, seed,
                patience, maxRetries, ports, timeoutMs, failRank, failEpoch, averageEvery);
    }

    public FineTuneConfig withRing(String portRange, int timeout) {
        return new FineTuneConfig(workers, epochs, batchSize, lr, momentum, weightDecay, frozen, schedule, shuffle,
                seed, patience, maxRetries, portRange, timeout, failRank, failEpoch, averageEvery);
    }

    public FineTuneConfig withFault(int rank, int epoch) {
        return new FineTuneConfig(workers, epochs, batchSize, lr, momentum, weightDecay, frozen, schedule, shuffle,
                seed, patience, maxRetries, ports, timeoutMs, rank, epoch, averageEvery);
    }

    public FineTuneConfig withSeed(long s) {
        return new FineTuneConfig(workers, epochs, batchSize, lr, momentum, weightDecay, frozen, schedule, shuffle,
                s, patience, maxRetries, ports, timeoutMs, failRank, failEpoch, averageEvery);
    }

    /**
     * Parameter averaging every {@code h} local steps (for slow networks: a rank sends its weights and
     * optimiser state once per {@code h} steps instead of its gradient every step); 0 goes back to
     * gradient averaging.
     */
    public FineTuneConfig withParameterAveraging(int h) {
        return new FineTuneConfig(workers, epochs, batchSize, lr, momentum, weightDecay, frozen, schedule, shuffle,
                seed, patience, maxRetries, ports, timeoutMs, failRank, failEpoch, h);
    }

    /** The schedule's factor on {@link #lr} in epoch {@code e} (0-based). */
    public double lrFactor(int e) {
        return schedule.equals("cosine") ? 0.5 * (1 + Math.cos(Math.PI * e / epochs)) : 1.0;
    }
}
