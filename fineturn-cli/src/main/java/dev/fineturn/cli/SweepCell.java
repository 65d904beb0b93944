package dev.fineturn.cli;

import dev.fineturn.train.Strategy;
import dev.fineturn.train.TrainConfig;

import java.io.Serializable;

/**
 * One configuration of a sweep as it travels to a Spark task: the strategy ({@link #PIXELS} for the
 * raw-pixel baseline), the learning rate (null: the strategy's default), epochs, batch size,
 * schedule and the sweep's seed.
 */
public record SweepCell(String name, String strategy, Double lr, int epochs, int batch, String schedule, long seed)
        implements Serializable {
    /** The raw-pixel baseline: a linear classifier on downsampled pixels, no network. */
    public static final String PIXELS = "pixels";

    public boolean pixels() {
        return PIXELS.equals(strategy);
    }

    public Strategy parsedStrategy() {
        return Strategy.parse(strategy);
    }

    /** The training settings of this configuration: the strategy's defaults with its rate, epochs, batch, seed and schedule. */
    public TrainConfig config() {
        TrainConfig cfg = TrainConfig.defaultsFor(parsedStrategy()).withEpochs(epochs).withBatchSize(batch)
                .withSeed(seed).withSchedule(schedule);
        return lr == null ? cfg : cfg.withOptimizer(cfg.optimizer(), lr, cfg.backboneLrFactor());
    }
}
