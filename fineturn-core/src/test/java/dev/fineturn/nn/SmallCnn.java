package dev.fineturn.nn;

import dev.fineturn.tensor.Tensor;

/**
 * A small classifier for tests: three conv blocks, pooling and a head. Blocks are the direct
 * children stem, block1, block2, pool, fc (so freezeFirst(k) counts them in that order).
 */
public final class SmallCnn extends Classifier {
    private final int channels;

    public SmallCnn(int channels, int classes) {
        this.channels = channels;
        registerModule("stem", new Sequential(new Conv2d(channels, 8, 3, 1, 1, false), new BatchNorm2d(8),
                Activation.relu()));
        registerModule("block1", new Sequential(new Conv2d(8, 12, 3, 2, 1, false), new BatchNorm2d(12),
                Activation.relu()));
        registerModule("block2", new Sequential(new Conv2d(12, 16, 3, 2, 1, false), new BatchNorm2d(16),
                Activation.relu6(), new Dropout(0.1f)));
        registerModule("pool", new Sequential(new AdaptiveAvgPool2d(1), new Flatten()));
        registerModule("fc", new Linear(16, classes, true));
    }

    @Override
    public String headPath() {
        return "fc";
    }

    @Override
    public int inputChannels() {
        return channels;
    }

    @Override
    protected Tensor backbone(Tensor x) {
        Tensor h = x;
        for (String b : new String[]{"stem", "block1", "block2", "pool"}) {
            h = module(b).forward(h);
        }
        return h;
    }
}
