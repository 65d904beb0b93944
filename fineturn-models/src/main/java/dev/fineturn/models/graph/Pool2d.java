package dev.fineturn.models.graph;

import dev.fineturn.nn.Layer;
import dev.fineturn.ops.Pooling;
import dev.fineturn.spi.PoolGeometry;
import dev.fineturn.tensor.Tensor;

/**
 * Max or average pooling with a rectangular window and either explicit padding or TensorFlow's
 * "SAME" rule (padding computed per input size; padded cells never count in an average).
 */
public final class Pool2d extends Layer {
    private final boolean max;
    private final int kh;
    private final int kw;
    private final int sh;
    private final int sw;
    private final boolean same;
    private final int[] pads;
    private final boolean ceilMode;
    private final boolean countIncludePad;

    /** Explicit padding {top, left, bottom, right}. */
    public Pool2d(boolean max, int kh, int kw, int sh, int sw, int[] pads, boolean ceilMode, boolean countIncludePad) {
        this.max = max;
        this.kh = kh;
        this.kw = kw;
        this.sh = sh;
        this.sw = sw;
        this.same = false;
        this.pads = pads.clone();
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
    }

    private Pool2d(boolean max, int kh, int kw, int sh, int sw) {
        this.max = max;
        this.kh = kh;
        this.kw = kw;
        this.sh = sh;
        this.sw = sw;
        this.same = true;
        this.pads = new int[4];
        this.ceilMode = false;
        this.countIncludePad = false;
    }

    public static Pool2d same(boolean max, int kh, int kw, int sh, int sw) {
        return new Pool2d(max, kh, kw, sh, sw);
    }

    public boolean isMax() {
        return max;
    }

    public int[] kernel() {
        return new int[]{kh, kw};
    }

    public int[] strides() {
        return new int[]{sh, sw};
    }

    public boolean ceilMode() {
        return ceilMode;
    }

    public boolean countIncludePad() {
        return countIncludePad;
    }

    /** Padding {top, left, bottom, right} for an input of the given size. */
    public int[] paddingFor(int inH, int inW) {
        if (!same) {
            return pads.clone();
        }
        int[] ph = SameConv2d.samePadding(inH, kh, sh, 1);
        int[] pw = SameConv2d.samePadding(inW, kw, sw, 1);
        return new int[]{ph[0], pw[0], ph[1], pw[1]};
    }

    @Override
    public Tensor forward(Tensor x) {
        int[] p = pads;
        if (same) {
            int[] ph = SameConv2d.samePadding(x.dim(2), kh, sh, 1);
            int[] pw = SameConv2d.samePadding(x.dim(3), kw, sw, 1);
            p = new int[]{ph[0], pw[0], ph[1], pw[1]};
        }
        PoolGeometry g = new PoolGeometry(x.dim(0), x.dim(1), x.dim(2), x.dim(3), kh, kw, sh, sw, p[0], p[1], p[2],
                p[3], ceilMode, countIncludePad);
        return max ? Pooling.maxPool2d(x, g) : Pooling.avgPool2d(x, g);
    }

    @Override
    public String toString() {
        return (max ? "MaxPool2d(" : "AvgPool2d(") + kh + "x" + kw + ", stride=" + sh + "x" + sw
                + (same ? ", padding=same)" : ")");
    }
}
