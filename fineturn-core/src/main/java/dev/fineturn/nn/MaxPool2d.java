package dev.fineturn.nn;

import dev.fineturn.ops.Pooling;
import dev.fineturn.tensor.Tensor;

public final class MaxPool2d extends Layer {
    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean ceilMode;

    public MaxPool2d(int kernel, int stride, int padding, boolean ceilMode) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.ceilMode = ceilMode;
    }

    public MaxPool2d(int kernel, int stride) {
        this(kernel, stride, 0, false);
    }

    public int kernel() {
        return kernel;
    }

    public int stride() {
        return stride;
    }

    /** Padding on every side. */
    public int padding() {
        return padding;
    }

    public boolean ceilMode() {
        return ceilMode;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Pooling.maxPool2d(x, Pooling.geometry("max_pool2d", x, kernel, kernel, stride, stride, padding, padding,
                padding, padding, ceilMode, false));
    }

    @Override
    public String toString() {
        return "MaxPool2d(" + kernel + ", stride=" + stride + ", padding=" + padding + ")";
    }
}
