package dev.fineturn.nn;

import dev.fineturn.ops.ShapeOps;
import dev.fineturn.tensor.Tensor;

/** Zero padding of H and W; asymmetric amounts allowed (as Keras' ZeroPadding2D ((0,1),(0,1))). */
public final class ZeroPad2d extends Layer {
    private final int top;
    private final int left;
    private final int bottom;
    private final int right;

    public ZeroPad2d(int top, int left, int bottom, int right) {
        this.top = top;
        this.left = left;
        this.bottom = bottom;
        this.right = right;
    }

    /** {top, left, bottom, right}. */
    public int[] padding() {
        return new int[]{top, left, bottom, right};
    }

    @Override
    public Tensor forward(Tensor x) {
        return ShapeOps.zeroPad2d(x, top, left, bottom, right);
    }

    @Override
    public String toString() {
        return "ZeroPad2d(top=" + top + ", left=" + left + ", bottom=" + bottom + ", right=" + right + ")";
    }
}
