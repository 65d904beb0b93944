package dev.fineturn.models.arch;

import dev.fineturn.nn.Activation;
import dev.fineturn.nn.BatchNorm2d;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Conv2d;
import dev.fineturn.nn.Dropout;
import dev.fineturn.nn.Linear;
import dev.fineturn.nn.MaxPool2d;
import dev.fineturn.nn.Layer;
import dev.fineturn.nn.Sequential;
import dev.fineturn.tensor.Tensor;

import java.util.List;

/**
 * torchvision's VGG with identical state-dict names: {@code features.N} (3x3 conv, optional batch
 * norm, ReLU; 2x2 max pools), {@code avgpool} (adaptive to 7x7), then {@code classifier.0..6}
 * (Linear, ReLU, Dropout, Linear, ReLU, Dropout, head).
 */
public final class Vgg extends Classifier {
    /** A 2x2 max pool in a configuration; every other entry is a conv's output channels. */
    public static final int M = 0;

    private static final int[] CONFIG_A = {64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
    private static final int[] CONFIG_D = {64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M};

    /**
     * @param config conv widths and {@link #M} pools, as torchvision's cfgs
     * @param hidden width of the two hidden fully connected layers (torchvision: 4096)
     */
    private final String torchvisionName;

    public Vgg(int[] config, boolean batchNorm, int hidden, int numClasses) {
        ArchChecks.numClasses("Vgg", numClasses);
        boolean standard = batchNorm && hidden == 4096;
        torchvisionName = standard && java.util.Arrays.equals(config, CONFIG_A) ? "vgg11_bn"
                : standard && java.util.Arrays.equals(config, CONFIG_D) ? "vgg16_bn" : null;
        Sequential features = new Sequential();
        int in = 3;
        for (int v : config) {
            if (v == M) {
                features.add(new MaxPool2d(2, 2));
                continue;
            }
            if (v < 0) {
                throw new IllegalArgumentException("Vgg: negative width " + v + " in the configuration");
            }
            features.add(new Conv2d(in, v, 3, 1, 1, true));
            if (batchNorm) {
                features.add(BatchNorm2d.inPlace(v));
            }
            features.add(Activation.reluInPlace());
            in = v;
        }
        if (in == 3) {
            throw new IllegalArgumentException("Vgg: the configuration has no convolution");
        }
        registerModule("features", features);
        registerModule("avgpool", new AdaptiveAveragePool(7, 7));
        registerModule("classifier", new Sequential(
                new Linear(in * 7 * 7, hidden, true), Activation.reluInPlace(), new Dropout(0.5f),
                new Linear(hidden, hidden, true), Activation.reluInPlace(), new Dropout(0.5f),
                new Linear(hidden, numClasses, true)));
    }

    public static Vgg vgg11Bn(int numClasses) {
        return new Vgg(CONFIG_A, true, 4096, numClasses);
    }

    public static Vgg vgg16Bn(int numClasses) {
        return new Vgg(CONFIG_D, true, 4096, numClasses);
    }

    /** Number of layers in {@code features} (conv, batch norm, ReLU and pool each count). */
    public int featureBlocks() {
        return module("features").children().size();
    }

    /** Freezes {@code features.0 .. features.(k-1)}; everything after is trainable. */
    public Vgg freezeFeatures(int k) {
        FeatureBlocks.freezeFirst(this, k);
        return this;
    }

    /** "vgg11_bn" or "vgg16_bn" when built as torchvision builds it, else null. */
    String torchvisionName() {
        return torchvisionName;
    }

    @Override
    public String headPath() {
        return "classifier.6";
    }

    @Override
    protected Tensor backbone(Tensor x) {
        Tensor h = module("avgpool").forward(module("features").forward(x)).flatten(1);
        List<Layer> mlp = ((Sequential) module("classifier")).layers();
        for (Layer m : mlp.subList(0, mlp.size() - 1)) {
            h = m.forward(h);
        }
        return h;
    }

    @Override
    public int inputChannels() {
        return 3;
    }
}
