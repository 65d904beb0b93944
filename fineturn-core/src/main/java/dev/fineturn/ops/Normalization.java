package dev.fineturn.ops;

import dev.fineturn.spi.Backend;
import dev.fineturn.spi.BinaryOp;
import dev.fineturn.spi.ConvEpilogue;
import dev.fineturn.spi.UnaryOp;
import dev.fineturn.tensor.Autograd;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Shape;
import dev.fineturn.tensor.Tensor;

/** Batch normalisation over [N, C] or [N, C, H, W] input. */
public final class Normalization {
    private Normalization() {
    }

    /**
     * With {@code training}, normalises with the batch statistics and updates the running ones
     * (PyTorch: unbiased variance, {@code running = (1 - momentum) * running + momentum * batch});
     * otherwise normalises with the running statistics. gamma and beta may be null.
     */
    public static Tensor batchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                   boolean training, float momentum, float eps) {
        return batchNorm(x, gamma, beta, runningMean, runningVar, training, momentum, eps, false);
    }

    /**
     * As above; with {@code inPlace} the result overwrites x's memory (after its statistics are taken)
     * when no gradient is recorded through x, gamma or beta and x is dense, as
     * {@link Activations#reluInPlace} does; otherwise a new tensor.
     */
    public static Tensor batchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                   boolean training, float momentum, float eps, boolean inPlace) {
        return batchNorm(x, gamma, beta, runningMean, runningVar, training, momentum, eps, inPlace, null,
                ConvEpilogue.NONE);
    }

    /**
     * {@code act(batchNorm(x) + residual)} as one op: a block's norm, shortcut add and activation. residual
     * (x's shape) may be null. The result is the unfused ops' bit for bit, gradients included, but the
     * graph keeps one tensor instead of three: the activation's mask is read from the output (ReLU and
     * ReLU6 pass a gradient exactly where their output lies strictly inside their range).
     */
    public static Tensor batchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                   boolean training, float momentum, float eps, boolean inPlace, Tensor residual,
                                   ConvEpilogue act) {
        Backend b = Checks.sameBackend("batch_norm", x, gamma, beta, runningMean, runningVar, residual);
        if (residual != null && !java.util.Arrays.equals(residual.shape(), x.shape())) {
            throw new IllegalArgumentException("batch_norm: residual " + Shape.str(residual.shape())
                    + " does not match input " + Shape.str(x.shape()));
        }
        if (x.rank() != 2 && x.rank() != 4) {
            throw new IllegalArgumentException("batch_norm: input must be [N, C] or [N, C, H, W], got "
                    + Shape.str(x.shape()));
        }
        int n = x.dim(0);
        int c = x.dim(1);
        int hw = x.rank() == 4 ? x.dim(2) * x.dim(3) : 1;
        for (Tensor t : new Tensor[]{gamma, beta, runningMean, runningVar}) {
            if (t != null && (t.rank() != 1 || t.dim(0) != c)) {
                throw new IllegalArgumentException("batch_norm: parameter " + Shape.str(t.shape())
                        + " does not match " + c + " channels of input " + Shape.str(x.shape()));
            }
        }
        if (training && n * hw < 2) {
            throw new IllegalArgumentException("batch_norm: training needs more than one value per channel, got input "
                    + Shape.str(x.shape()));
        }
        if (!training && (runningMean == null || runningVar == null)) {
            throw new IllegalArgumentException("batch_norm: evaluation needs running statistics");
        }
        Tensor xd = x.contiguous();
        Tensor g = gamma == null ? Tensor.ones(b, c) : gamma.contiguous();
        Tensor bt = beta == null ? Tensor.zeros(b, c) : beta.contiguous();
        Tensor mean;
        Tensor var;
        if (training) {
            mean = Tensor.zeros(b, c);
            var = Tensor.zeros(b, c);
            b.batchNormStatistics(n, c, hw, xd.storage(), mean.storage(), var.storage());
            if (runningMean != null && runningVar != null) {
                try (var scope = GradMode.noGrad()) {
                    float unbias = (float) (n * hw) / (n * hw - 1);
                    runningMean.copyFrom(runningMean.mul(1f - momentum).add(mean.mul(momentum)));
                    runningVar.copyFrom(runningVar.mul(1f - momentum).add(var.mul(momentum * unbias)));
                }
            }
        } else {
            mean = runningMean.contiguous().detach();
            var = runningVar.contiguous().detach();
        }
        Tensor r = residual == null ? null : residual.contiguous();
        // xd == x: x was dense, so its memory is the tensor's own from the start.
        boolean overwrite = inPlace && xd == x && !Autograd.isRecording(xd, g, bt, r)
                && (r == null || r.storage() != xd.storage());
        Tensor y = overwrite ? xd : Tensor.zeros(b, xd.shape());
        b.batchNormForward(n, c, hw, eps, xd.storage(), mean.storage(), var.storage(), g.storage(), bt.storage(),
                y.storage());
        if (r != null) {
            int[] dense = y.strides();
            b.binary(BinaryOp.ADD, y.shape(), y.storage(), 0, dense, r.storage(), 0, dense, y.storage());
        }
        UnaryOp unary = switch (act) {
            case NONE -> null;
            case RELU -> UnaryOp.RELU;
            case RELU6 -> UnaryOp.CLIPPED_RELU;
        };
        float limit = act == ConvEpilogue.RELU6 ? 6f : 0f;
        if (unary != null) {
            b.unary(unary, limit, 0f, y.storage(), y.storage(), y.numel());
        }
        if (Autograd.isRecording(xd, g, bt, r)) {
            Tensor savedMean = mean;
            Tensor savedVar = var;
            String name = act == ConvEpilogue.NONE && r == null ? "batch_norm" : "batch_norm_act";
            Autograd.record(y, name, grad -> {
                Tensor gd = grad.contiguous();
                if (unary != null) {
                    Tensor masked = Tensor.zeros(b, y.shape());
                    b.unaryBackward(unary, limit, 0f, y.storage(), y.storage(), gd.storage(), masked.storage(),
                            y.numel());
                    gd = masked;
                }
                Tensor dx = Tensor.zeros(b, xd.shape());
                Tensor dg = Tensor.zeros(b, c);
                Tensor db = Tensor.zeros(b, c);
                b.batchNormBackward(n, c, hw, eps, training, xd.storage(), gd.storage(),
                        savedMean.storage(), savedVar.storage(), g.storage(), dx.storage(), dg.storage(),
                        db.storage());
                return new Tensor[]{xd.requiresGrad() ? dx : null, dg, db, r != null && r.requiresGrad() ? gd : null};
            }, xd, g, bt, r);
        }
        return y;
    }
}
