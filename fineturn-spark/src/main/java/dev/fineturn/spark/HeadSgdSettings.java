package dev.fineturn.spark;

import dev.fineturn.train.Strategy;
import dev.fineturn.train.TrainConfig;

import java.io.Serializable;

/**
 * What the executors need of a local {@link TrainConfig} to train a head with SGD epochs, in a form
 * Spark can serialise; {@link #config()} turns it back into a config for the local code.
 */
record HeadSgdSettings(int epochs, int batchSize, long seed, TrainConfig.OptimizerKind optimizer, double lr,
                       double momentum, double weightDecay, String schedule, double labelSmoothing, double clipNorm,
                       int hidden) implements Serializable {
    static HeadSgdSettings of(TrainConfig c) {
        return new HeadSgdSettings(c.epochs(), c.batchSize(), c.seed(), c.optimizer(), c.lr(), c.momentum(),
                c.weightDecay(), c.schedule(), c.labelSmoothing(), c.clipNorm(), c.headHidden());
    }

    TrainConfig config() {
        return TrainConfig.defaultsFor(Strategy.FEATURES).with(b -> {
            b.epochs = epochs;
            b.batchSize = batchSize;
            b.seed = seed;
            b.optimizer = optimizer;
            b.lr = lr;
            b.momentum = momentum;
            b.weightDecay = weightDecay;
            b.schedule = schedule;
            b.labelSmoothing = labelSmoothing;
            b.clipNorm = clipNorm;
            b.headSolver = TrainConfig.HeadSolver.SGD;
            b.headHidden = hidden;
        });
    }
}
