package dev.fineturn.nn;

import dev.fineturn.ops.Normalization;
import dev.fineturn.spi.ConvEpilogue;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;

/**
 * Batch normalisation with PyTorch's parameters ({@code weight}, {@code bias}) and buffers
 * ({@code running_mean}, {@code running_var}, {@code num_batches_tracked}). When frozen or in eval
 * mode it normalises with the running statistics and never updates them.
 */
public final class BatchNorm2d extends Layer {
    private final int channels;
    private final float eps;
    private float momentum;
    private final boolean inPlace;
    private boolean runningStatisticsOnly;

    public BatchNorm2d(int channels) {
        this(channels, 1e-5f, 0.1f);
    }

    public BatchNorm2d(int channels, float eps, float momentum) {
        this(channels, eps, momentum, false);
    }

    /**
     * With {@code inPlace} the output overwrites the input's memory where no gradient is recorded
     * (frozen or under noGrad; see {@link Normalization#batchNorm}), as torch's {@code inplace=True}
     * activations do. For blocks whose norm only ever sees their own convolution's output.
     */
    public BatchNorm2d(int channels, float eps, float momentum, boolean inPlace) {
        this.channels = channels;
        this.eps = eps;
        this.momentum = momentum;
        this.inPlace = inPlace;
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

    /** torchvision's defaults (eps 1e-5, momentum 0.1), overwriting its input where nothing records. */
    public static BatchNorm2d inPlace(int channels) {
        return new BatchNorm2d(channels, 1e-5f, 0.1f, true);
    }

    public boolean isInPlace() {
        return inPlace;
    }

    public float eps() {
        return eps;
    }

    /** The weight of a batch's statistics in the running ones (PyTorch's convention; Keras' is 1 - this). */
    public float momentum() {
        return momentum;
    }

    public BatchNorm2d setMomentum(float m) {
        if (!(m > 0 && m <= 1)) {
            throw new IllegalArgumentException("batch norm momentum " + m + " must be in (0, 1]");
        }
        this.momentum = m;
        return this;
    }

    /**
     * With {@code true} the layer normalises with its running statistics even in training mode and
     * never updates them, while its scale and shift still train: Keras' advice for fine-tuning a
     * pretrained network (call the base with {@code training=False}), since a small data set's
     * batch statistics would replace the pretraining ones.
     */
    public BatchNorm2d useRunningStatistics(boolean on) {
        this.runningStatisticsOnly = on;
        return this;
    }

    public boolean usesRunningStatistics() {
        return runningStatisticsOnly;
    }

    /** True when a forward pass normalises with the running statistics and leaves them unchanged. */
    public boolean normalisesWithRunningStatistics() {
        return behavesAsEval() || runningStatisticsOnly;
    }

    public Tensor weight() {
        return parameter("weight");
    }

    public Tensor bias() {
        return parameter("bias");
    }

    public Tensor runningMean() {
        return buffer("running_mean");
    }

    public Tensor runningVar() {
        return buffer("running_var");
    }

    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null, ConvEpilogue.NONE);
    }

    /**
     * {@code act(this(x) + residual)} as one op ({@link Normalization#batchNorm(Tensor, Tensor, Tensor, Tensor,
     * Tensor, boolean, float, float, boolean, Tensor, ConvEpilogue) batchNorm}): what a block's norm, shortcut
     * add and activation compute, with one tensor in the graph instead of three. residual may be null.
     */
    public Tensor forward(Tensor x, Tensor residual, ConvEpilogue act) {
        boolean batchStats = !behavesAsEval() && !runningStatisticsOnly;
        Tensor y = Normalization.batchNorm(x, parameter("weight"), parameter("bias"), buffer("running_mean"),
                buffer("running_var"), batchStats, momentum, eps, inPlace, residual, act);
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
