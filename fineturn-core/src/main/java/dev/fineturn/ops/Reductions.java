package dev.fineturn.ops;

import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.Autograd;
import dev.fineturn.tensor.Shape;
import dev.fineturn.tensor.Tensor;

import java.util.Arrays;

/** Sums and means over all or some dimensions. */
public final class Reductions {
    private Reductions() {
    }

    public static Tensor sum(Tensor x) {
        int[] all = new int[x.rank()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return sum(x, all, false);
    }

    public static Tensor mean(Tensor x) {
        return Arithmetic.affine(sum(x), 1f / x.numel(), 0f);
    }

    public static Tensor mean(Tensor x, int[] dims, boolean keepDim) {
        long count = 1;
        for (int d : dims) {
            count *= x.dim(d);
        }
        return Arithmetic.affine(sum(x, dims, keepDim), 1f / count, 0f);
    }

    /** Sum over {@code dims}; keeps them as size 1 when {@code keepDim}. */
    public static Tensor sum(Tensor input, int[] dims, boolean keepDim) {
        Tensor x = input.contiguous();
        int[] inShape = x.shape();
        int[] kept = inShape.clone();
        boolean[] reduced = new boolean[inShape.length];
        for (int d : dims) {
            int n = Shape.normalizeDim("sum", d, inShape.length);
            reduced[n] = true;
            kept[n] = 1;
        }
        Backend b = x.backend();
        Tensor out = Tensor.zeros(b, kept);
        b.sumReduce(inShape, x.storage(), kept, out.storage());
        int[] finalShape = kept;
        if (!keepDim) {
            int r = 0;
            for (boolean v : reduced) {
                if (!v) {
                    r++;
                }
            }
            finalShape = new int[r];
            for (int i = 0, j = 0; i < inShape.length; i++) {
                if (!reduced[i]) {
                    finalShape[j++] = inShape[i];
                }
            }
        }
        Tensor result = Tensor.dense(out.storage(), finalShape);
        if (Autograd.isRecording(x)) {
            Autograd.record(result, "sum", g -> new Tensor[]{g.reshape(kept).expand(inShape).contiguous()}, x);
        }
        return result;
    }

    /** Sums a (broadcast) gradient down to {@code shape}; no graph. */
    public static Tensor sumToShape(Tensor g, int[] shape) {
        int[] gs = g.shape();
        if (Arrays.equals(gs, shape)) {
            return g;
        }
        int[] padded = new int[gs.length];
        int shift = gs.length - shape.length;
        if (shift < 0) {
            throw new IllegalArgumentException("sumToShape: gradient " + Shape.str(gs) + " has lower rank than "
                    + Shape.str(shape));
        }
        for (int i = 0; i < gs.length; i++) {
            padded[i] = i < shift ? 1 : shape[i - shift];
        }
        Tensor d = g.isDense() ? g : g.copy();
        Backend b = d.backend();
        Tensor out = Tensor.zeros(b, padded);
        b.sumReduce(gs, d.storage(), padded, out.storage());
        return Tensor.dense(out.storage(), shape);
    }
}
