package dev.fineturn.models.arch;

import dev.fineturn.nn.Activation;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Dropout;
import dev.fineturn.nn.Linear;
import dev.fineturn.nn.Layer;
import dev.fineturn.nn.Sequential;
import dev.fineturn.ops.Pooling;
import dev.fineturn.tensor.Tensor;

/**
 * torchvision's MobileNetV2 with identical state-dict names: {@code features.0} (stem),
 * {@code features.1..17} (inverted residuals), {@code features.18} (1x1 to the last channel count),
 * global average pooling, then {@code classifier.0} (dropout) and {@code classifier.1} (the head).
 * The direct children are only {@code features} and {@code classifier}; {@link #freezeFeatures}
 * freezes by feature block instead.
 */
public final class MobileNetV2 extends Classifier {
    /** Expansion t, output channels c, repeats n, first stride s. */
    private static final int[][] SETTING = {
            {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    private static final int ROUND = 8;
    private final double widthMult;

    public MobileNetV2(int numClasses, double widthMult) {
        this(numClasses, widthMult, 0.2f);
    }

    public MobileNetV2(int numClasses, double widthMult, float dropout) {
        if (!(widthMult > 0)) {
            throw new IllegalArgumentException("MobileNetV2: width multiplier must be positive, got " + widthMult);
        }
        ArchChecks.numClasses("MobileNetV2", numClasses);
        this.widthMult = widthMult;
        int in = makeDivisible(32 * widthMult, ROUND);
        int last = makeDivisible(1280 * Math.max(1.0, widthMult), ROUND);
        Sequential features = new Sequential(new ConvBnAct(3, in, 3, 2, 1, Activation.Kind.RELU6));
        for (int[] s : SETTING) {
            int out = makeDivisible(s[1] * widthMult, ROUND);
            for (int i = 0; i < s[2]; i++) {
                features.add(new InvertedResidual(in, out, i == 0 ? s[3] : 1, s[0]));
                in = out;
            }
        }
        features.add(new ConvBnAct(in, last, 1, 1, 1, Activation.Kind.RELU6));
        registerModule("features", features);
        registerModule("classifier", new Sequential(new Dropout(dropout), new Linear(last, numClasses, true)));
    }

    public static MobileNetV2 mobilenetV2(int numClasses) {
        return new MobileNetV2(numClasses, 1.0);
    }

    /**
     * torchvision's {@code _make_divisible}: {@code v} rounded to the nearest multiple of
     * {@code divisor} (at least {@code divisor}), bumped up a step if that lost more than 10%.
     */
    public static int makeDivisible(double v, int divisor) {
        int rounded = Math.max(divisor, (int) (v + divisor / 2.0) / divisor * divisor);
        return rounded < 0.9 * v ? rounded + divisor : rounded;
    }

    /** Number of blocks in {@code features} (19 for the standard network). */
    public int featureBlocks() {
        return module("features").children().size();
    }

    /** Freezes {@code features.0 .. features.(k-1)}; everything after, the classifier included, is trainable. */
    public MobileNetV2 freezeFeatures(int k) {
        FeatureBlocks.freezeFirst(this, k);
        return this;
    }

    /** "mobilenet_v2" at width multiplier 1, else null. */
    String torchvisionName() {
        return widthMult == 1.0 ? "mobilenet_v2" : null;
    }

    @Override
    public String headPath() {
        return "classifier.1";
    }

    @Override
    protected Tensor backbone(Tensor x) {
        Tensor h = Pooling.globalAvgPool(module("features").forward(x)).flatten(1);
        Layer dropout = module("classifier.0");
        return dropout.forward(h);
    }

    @Override
    public int inputChannels() {
        return 3;
    }
}
