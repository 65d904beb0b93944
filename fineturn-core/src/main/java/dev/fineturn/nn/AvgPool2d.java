package dev.fineturn.nn;

import dev.fineturn.ops.Pooling;
import dev.fineturn.tensor.Tensor;

public final class AvgPool2d extends Layer {
    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean ceilMode;
    private final boolean countIncludePad;

    public AvgPool2d(int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
    }

    public AvgPool2d(int kernel, int stride) {
        this(kernel, stride, 0, false, true);
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

    public boolean countIncludePad() {
        return countIncludePad;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Pooling.avgPool2d(x, Pooling.geometry("avg_pool2d", x, kernel, kernel, stride, stride, padding, padding,
                padding, padding, ceilMode, countIncludePad));
    }

    @Override
    public String toString() {
        return "AvgPool2d(" + kernel + ", stride=" + stride + ")";
    }
}
