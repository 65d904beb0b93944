package dev.fineturn.models.graph;

import dev.fineturn.nn.Layer;
import dev.fineturn.ops.Pooling;
import dev.fineturn.tensor.Tensor;

/** Global average pooling to [N, C] (Keras GlobalAveragePooling2D), or [N, C, 1, 1] when keepDims. */
public final class GlobalAvgPool extends Layer {
    private final boolean keepDims;

    public GlobalAvgPool(boolean keepDims) {
        this.keepDims = keepDims;
    }

    public boolean keepDims() {
        return keepDims;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = Pooling.globalAvgPool(x);
        return keepDims ? y : y.flatten(1);
    }

    @Override
    public String toString() {
        return "GlobalAvgPool";
    }
}
