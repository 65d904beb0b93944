package dev.fineturn.models.arch;

import dev.fineturn.nn.Activation;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Conv2d;
import dev.fineturn.nn.Linear;
import dev.fineturn.nn.MaxPool2d;
import dev.fineturn.nn.Layer;
import dev.fineturn.nn.Sequential;
import dev.fineturn.tensor.Shape;
import dev.fineturn.tensor.Tensor;

import java.util.List;

/**
 * LeNet-5 with ReLU and max pooling, for C x H x W inputs (H, W at least 12).
 * {@code features}: 0 conv 5x5 (C to 6, padding 2), 1 ReLU, 2 max pool, 3 conv 5x5 (6 to 16),
 * 4 ReLU, 5 max pool. {@code classifier}: 0 Linear (to 120), 1 ReLU, 2 Linear (to 84), 3 ReLU,
 * 4 the head.
 */
public final class LeNet extends Classifier {
    private final int channels;
    private final int height;
    private final int width;

    public LeNet(int channels, int height, int width, int numClasses) {
        if (channels < 1 || height < 12 || width < 12) {
            throw new IllegalArgumentException("LeNet: needs at least 1 channel and 12x12 inputs, got " + channels
                    + "x" + height + "x" + width);
        }
        ArchChecks.numClasses("LeNet", numClasses);
        this.channels = channels;
        this.height = height;
        this.width = width;
        registerModule("features", new Sequential(
                new Conv2d(channels, 6, 5, 1, 2, true), Activation.relu(), new MaxPool2d(2, 2),
                new Conv2d(6, 16, 5, 1, 0, true), Activation.relu(), new MaxPool2d(2, 2)));
        int flat = 16 * reduced(height) * reduced(width);
        registerModule("classifier", new Sequential(
                new Linear(flat, 120, true), Activation.relu(),
                new Linear(120, 84, true), Activation.relu(),
                new Linear(84, numClasses, true)));
    }

    /** The classic 1 x 28 x 28 (MNIST) network. */
    public static LeNet mnist(int numClasses) {
        return new LeNet(1, 28, 28, numClasses);
    }

    private static int reduced(int size) {
        return (size / 2 - 4) / 2;
    }

    /** "lenet" for 1 x 28 x 28 inputs, else null. */
    String torchvisionName() {
        return channels == 1 && height == 28 && width == 28 ? "lenet" : null;
    }

    @Override
    public String headPath() {
        return "classifier.4";
    }

    @Override
    protected Tensor backbone(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != channels || x.dim(2) != height || x.dim(3) != width) {
            throw new IllegalArgumentException("LeNet built for N x " + channels + " x " + height + " x " + width
                    + " inputs, got " + Shape.str(x.shape()));
        }
        Tensor h = module("features").forward(x).flatten(1);
        List<Layer> mlp = ((Sequential) module("classifier")).layers();
        for (Layer m : mlp.subList(0, mlp.size() - 1)) {
            h = m.forward(h);
        }
        return h;
    }

    @Override
    public int inputChannels() {
        return channels;
    }
}
