package dev.fineturn.ops;

import dev.fineturn.spi.Backend;
import dev.fineturn.spi.PoolGeometry;
import dev.fineturn.tensor.Autograd;
import dev.fineturn.tensor.Shape;
import dev.fineturn.tensor.Tensor;

/** Max, average and global average pooling over NCHW input. */
public final class Pooling {
    private Pooling() {
    }

    public static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding) {
        return maxPool2d(x, geometry("max_pool2d", x, kernel, kernel, stride, stride, padding, padding, padding,
                padding, false, false));
    }

    public static Tensor maxPool2d(Tensor x, PoolGeometry g) {
        Tensor xd = x.contiguous();
        Backend b = xd.backend();
        Tensor y = Tensor.zeros(b, g.batch(), g.channels(), g.outH(), g.outW());
        b.maxPool2dForward(g, xd.storage(), y.storage());
        if (Autograd.isRecording(xd)) {
            Autograd.record(y, "max_pool2d", grad -> {
                Tensor dx = Tensor.zeros(b, xd.shape());
                b.maxPool2dBackward(g, xd.storage(), grad.contiguous().storage(), dx.storage());
                return new Tensor[]{dx};
            }, xd);
        }
        return y;
    }

    public static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding, boolean countIncludePad) {
        return avgPool2d(x, geometry("avg_pool2d", x, kernel, kernel, stride, stride, padding, padding, padding,
                padding, false, countIncludePad));
    }

    public static Tensor avgPool2d(Tensor x, PoolGeometry g) {
        Tensor xd = x.contiguous();
        Backend b = xd.backend();
        Tensor y = Tensor.zeros(b, g.batch(), g.channels(), g.outH(), g.outW());
        b.avgPool2dForward(g, xd.storage(), y.storage());
        if (Autograd.isRecording(xd)) {
            Autograd.record(y, "avg_pool2d", grad -> {
                Tensor dx = Tensor.zeros(b, xd.shape());
                b.avgPool2dBackward(g, grad.contiguous().storage(), dx.storage());
                return new Tensor[]{dx};
            }, xd);
        }
        return y;
    }

    /** Mean over H and W, keeping them as size 1: [N, C, H, W] to [N, C, 1, 1]. */
    public static Tensor globalAvgPool(Tensor x) {
        Checks.rank("global_avg_pool", "input", x, 4);
        return Reductions.mean(x, new int[]{2, 3}, true);
    }

    /** Builds and checks a pooling geometry for an NCHW tensor. */
    public static PoolGeometry geometry(String op, Tensor x, int kh, int kw, int sh, int sw, int padTop, int padLeft,
                                        int padBottom, int padRight, boolean ceilMode, boolean countIncludePad) {
        Checks.rank(op, "input", x, 4);
        if (padTop * 2 > kh || padBottom * 2 > kh || padLeft * 2 > kw || padRight * 2 > kw) {
            throw new IllegalArgumentException(op + ": padding should be at most half the kernel " + kh + "x" + kw
                    + " on input " + Shape.str(x.shape()));
        }
        try {
            return new PoolGeometry(x.dim(0), x.dim(1), x.dim(2), x.dim(3), kh, kw, sh, sw, padTop, padLeft,
                    padBottom, padRight, ceilMode, countIncludePad);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(op + ": " + e.getMessage() + " (input " + Shape.str(x.shape()) + ")", e);
        }
    }
}
