package dev.fineturn.nn;

import dev.fineturn.ops.Pooling;
import dev.fineturn.tensor.Tensor;

/** AdaptiveAvgPool2d with output size 1: [N, C, H, W] to [N, C, 1, 1]. */
public final class AdaptiveAvgPool2d extends Layer {
    public AdaptiveAvgPool2d(int outputSize) {
        if (outputSize != 1) {
            throw new IllegalArgumentException("AdaptiveAvgPool2d: only output size 1 is supported, got " + outputSize);
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        return Pooling.globalAvgPool(x);
    }

    @Override
    public String toString() {
        return "AdaptiveAvgPool2d(1)";
    }
}
