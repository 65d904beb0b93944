package dev.fineturn.models.testing;

import dev.fineturn.nn.Activation;
import dev.fineturn.nn.AdaptiveAvgPool2d;
import dev.fineturn.nn.BatchNorm2d;
import dev.fineturn.nn.Conv2d;
import dev.fineturn.nn.Flatten;
import dev.fineturn.nn.Linear;
import dev.fineturn.nn.Sequential;

/** The fixture script's {@code tiny} model, with the same state-dict names (0.weight, 1.running_mean, ...). */
public final class TinyNet {
    private TinyNet() {
    }

    public static Sequential create() {
        return new Sequential(new Conv2d(3, 4, 3, 1, 1, false), new BatchNorm2d(4), Activation.relu(),
                new AdaptiveAvgPool2d(1), new Flatten(), new Linear(4, 3, true));
    }
}
