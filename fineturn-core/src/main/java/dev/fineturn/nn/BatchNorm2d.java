package dev.fineturn.nn;

import dev.fineturn.ops.Normalization;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;

/**
 * Batch normalisation with PyTorch's parameters ({@code weight}, {@code bias}) and buffers
 * ({@code running_mean}, {@code running_var}, {@code num_batches_tracked}). When frozen or in eval
 * mode it normalises with the running statistics and never updates them.
 */
public final class BatchNorm2d extends Module {
    private final int channels;
    private final float eps;
    private final float momentum;

    public BatchNorm2d(int channels) {
        this(channels, 1e-5f, 0.1f);
    }

    public BatchNorm2d(int channels, float eps, float momentum) {
        this.channels = channels;
        this.eps = eps;
        this.momentum = momentum;
        registerParameter("weight", Init.constant(1f, channels));
        registerParameter("bias", Init.constant(0f, channels));
        registerBuffer("running_mean", Init.constant(0f, channels));
        registerBuffer("running_var", Init.constant(1f, channels));
        registerBuffer("num_batches_tracked", Init.constant(0f));
    }

    @Override
    protected void resetOwnParameters() {
        parameter("weight").copyFrom(Init.constant(1f, channels));
        parameter("bias").copyFrom(Init.constant(0f, channels));
        buffer("running_mean").copyFrom(Init.constant(0f, channels));
        buffer("running_var").copyFrom(Init.constant(1f, channels));
        buffer("num_batches_tracked").copyFrom(Init.constant(0f));
    }

    public float eps() {
        return eps;
    }

    @Override
    public Tensor forward(Tensor x) {
        boolean batchStats = !behavesAsEval();
        Tensor y = Normalization.batchNorm(x, parameter("weight"), parameter("bias"), buffer("running_mean"),
                buffer("running_var"), batchStats, momentum, eps);
        if (batchStats) {
            try (var g = GradMode.noGrad()) {
                Tensor n = buffer("num_batches_tracked");
                n.copyFrom(n.add(1f));
            }
        }
        return y;
    }

    @Override
    public String toString() {
        return "BatchNorm2d(" + channels + ", eps=" + eps + ")";
    }
}
