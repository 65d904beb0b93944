package dev.fineturn.ops;

import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.Autograd;
import dev.fineturn.tensor.Shape;
import dev.fineturn.tensor.Tensor;

/** Softmax and log-softmax along any dimension. */
public final class SoftmaxOps {
    private SoftmaxOps() {
    }

    public static Tensor softmax(Tensor x, int dim) {
        return apply(x, dim, false);
    }

    public static Tensor logSoftmax(Tensor x, int dim) {
        return apply(x, dim, true);
    }

    private static Tensor apply(Tensor x, int dim, boolean log) {
        String op = log ? "log_softmax" : "softmax";
        if (x.rank() == 0) {
            throw new IllegalArgumentException(op + ": needs at least one dimension, got a scalar");
        }
        int d = Shape.normalizeDim(op, dim, x.rank());
        int last = x.rank() - 1;
        if (d != last) {
            return apply(x.transpose(d, last), -1, log).transpose(d, last);
        }
        Tensor xd = x.contiguous();
        Backend b = xd.backend();
        int cols = xd.dim(-1);
        int rows = xd.numel() / Math.max(cols, 1);
        Tensor y = Tensor.zeros(b, xd.shape());
        b.softmax(rows, cols, log, xd.storage(), y.storage());
        if (Autograd.isRecording(xd)) {
            Autograd.record(y, op, g -> {
                Tensor dx = Tensor.zeros(b, xd.shape());
                b.softmaxBackward(rows, cols, log, y.storage(), g.contiguous().storage(), dx.storage());
                return new Tensor[]{dx};
            }, xd);
        }
        return y;
    }
}
