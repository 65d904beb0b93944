package dev.fineturn.ops;

import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.Autograd;
import dev.fineturn.tensor.Shape;
import dev.fineturn.tensor.Tensor;

import java.util.Arrays;

/** Concatenation and zero padding; reshape, permute and slice are views on {@link Tensor}. */
public final class ShapeOps {
    private ShapeOps() {
    }

    public static Tensor concat(int dim, Tensor... parts) {
        if (parts.length == 0) {
            throw new IllegalArgumentException("concat: no tensors given");
        }
        Backend b = Checks.sameBackend("concat", parts);
        int rank = parts[0].rank();
        int d = Shape.normalizeDim("concat", dim, rank);
        int[] outShape = parts[0].shape();
        int total = 0;
        for (Tensor t : parts) {
            int[] s = t.shape();
            if (s.length != rank) {
                throw new IllegalArgumentException("concat: ranks differ: " + Shape.str(parts[0].shape()) + " and "
                        + Shape.str(s));
            }
            for (int i = 0; i < rank; i++) {
                if (i != d && s[i] != outShape[i]) {
                    throw new IllegalArgumentException("concat: shapes " + Shape.str(parts[0].shape()) + " and "
                            + Shape.str(s) + " differ outside dimension " + d);
                }
            }
            total += s[d];
        }
        outShape[d] = total;
        Tensor out = Tensor.zeros(b, outShape);
        int[] starts = new int[parts.length];
        int at = 0;
        for (int i = 0; i < parts.length; i++) {
            starts[i] = at;
            out.slice(d, at, at + parts[i].dim(d)).copyFrom(parts[i]);
            at += parts[i].dim(d);
        }
        if (Autograd.isRecording(parts)) {
            Autograd.record(out, "concat", g -> {
                Tensor[] grads = new Tensor[parts.length];
                for (int i = 0; i < parts.length; i++) {
                    if (parts[i].requiresGrad()) {
                        grads[i] = g.slice(d, starts[i], starts[i] + parts[i].dim(d)).copy();
                    }
                }
                return grads;
            }, parts);
        }
        return out;
    }

    /** Zero padding of the last two dimensions of an NCHW tensor; asymmetric allowed. */
    public static Tensor zeroPad2d(Tensor x, int top, int left, int bottom, int right) {
        Checks.rank("zero_pad2d", "input", x, 4);
        if (top < 0 || left < 0 || bottom < 0 || right < 0) {
            throw new IllegalArgumentException("zero_pad2d: negative padding " + Arrays.toString(
                    new int[]{top, left, bottom, right}) + " for input " + Shape.str(x.shape()));
        }
        int h = x.dim(2);
        int w = x.dim(3);
        Tensor out = Tensor.zeros(x.backend(), x.dim(0), x.dim(1), h + top + bottom, w + left + right);
        out.slice(2, top, top + h).slice(3, left, left + w).copyFrom(x);
        if (Autograd.isRecording(x)) {
            Autograd.record(out, "zero_pad2d", g -> new Tensor[]{
                    g.slice(2, top, top + h).slice(3, left, left + w).copy()}, x);
        }
        return out;
    }
}
