package dev.fineturn.ops;

import dev.fineturn.spi.Backend;
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
        Backend b = Checks.sameBackend("batch_norm", x, gamma, beta, runningMean, runningVar);
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
        // xd == x: x was dense, so its memory is the tensor's own from the start.
        boolean overwrite = inPlace && xd == x && !Autograd.isRecording(xd, g, bt);
        Tensor y = overwrite ? xd : Tensor.zeros(b, xd.shape());
        b.batchNormForward(n, c, hw, eps, xd.storage(), mean.storage(), var.storage(), g.storage(), bt.storage(),
                y.storage());
        if (Autograd.isRecording(xd, g, bt)) {
            Tensor savedMean = mean;
            Tensor savedVar = var;
            Autograd.record(y, "batch_norm", grad -> {
                Tensor dx = Tensor.zeros(b, xd.shape());
                Tensor dg = Tensor.zeros(b, c);
                Tensor db = Tensor.zeros(b, c);
                b.batchNormBackward(n, c, hw, eps, training, xd.storage(), grad.contiguous().storage(),
                        savedMean.storage(), savedVar.storage(), g.storage(), dx.storage(), dg.storage(),
                        db.storage());
                return new Tensor[]{xd.requiresGrad() ? dx : null, dg, db};
            }, xd, g, bt);
        }
        return y;
    }
}
