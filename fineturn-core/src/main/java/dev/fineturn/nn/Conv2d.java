package dev.fineturn.nn;

import dev.fineturn.ops.Conv2dOptions;
import dev.fineturn.ops.Convolution;
import dev.fineturn.spi.ConvEpilogue;
import dev.fineturn.tensor.Tensor;

/** 2-D convolution; {@code weight} is [out, in/groups, kh, kw], {@code bias} is [out]. */
public final class Conv2d extends Layer {
    private final int inChannels;
    private final int outChannels;
    private final Conv2dOptions options;
    private FoldedWeights folded;

    public Conv2d(int inChannels, int outChannels, int kernelH, int kernelW, Conv2dOptions options, boolean bias) {
        if (inChannels % options.groups() != 0 || outChannels % options.groups() != 0) {
            throw new IllegalArgumentException("Conv2d: groups " + options.groups() + " must divide in " + inChannels
                    + " and out " + outChannels + " channels");
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.options = options;
        int fanIn = inChannels / options.groups() * kernelH * kernelW;
        registerParameter("weight", Init.weight(Init.Scheme.PYTORCH_DEFAULT, fanIn, outChannels * kernelH * kernelW,
                outChannels, inChannels / options.groups(), kernelH, kernelW));
        if (bias) {
            registerParameter("bias", Init.bias(fanIn, outChannels));
        }
    }

    /** Square kernel, stride and symmetric padding. */
    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, boolean bias) {
        this(inChannels, outChannels, kernel, kernel, Conv2dOptions.of(stride, padding), bias);
    }

    @Override
    protected void resetOwnParameters() {
        Tensor w = parameter("weight");
        int fanIn = w.dim(1) * w.dim(2) * w.dim(3);
        w.copyFrom(Init.weight(Init.Scheme.PYTORCH_DEFAULT, fanIn, w.dim(0) * w.dim(2) * w.dim(3), w.shape()));
        Tensor b = parameter("bias");
        if (b != null) {
            b.copyFrom(Init.bias(fanIn, b.dim(0)));
        }
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    public Conv2dOptions options() {
        return options;
    }

    public Tensor weight() {
        return parameter("weight");
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() == 4 && x.dim(1) != inChannels) {
            throw new IllegalArgumentException("Conv2d(" + inChannels + " -> " + outChannels + "): input has "
                    + x.dim(1) + " channels (shape " + dev.fineturn.tensor.Shape.str(x.shape()) + "), expected "
                    + inChannels);
        }
        return Convolution.conv2d(x, parameter("weight"), parameter("bias"), options);
    }

    /**
     * Inference: {@code act(bn(conv(x)) + residual)} in one fused convolution, with {@code bn}
     * (may be null) folded into this layer's weights and bias once per change of the weights.
     * Records no graph; the caller checks {@link FusedInference#applies}. {@code out}, when not
     * null, is a planned buffer to write into.
     */
    public Tensor forwardFused(BatchNorm2d bn, ConvEpilogue act, Tensor x, Tensor residual, PlannedBuffer out) {
        if (x.dim(1) != inChannels) {
            return forward(x); // the ordinary path names the mismatch
        }
        FoldedWeights f = folded(bn);
        Tensor buffer = null;
        if (out != null) {
            Tensor w = f.weight();
            int[] shape = Convolution.outputShape(x, w, options);
            buffer = out.take(x.backend(), shape);
        }
        try {
            return Convolution.conv2dFused(x, f.weight(), f.bias(), residual, act, options, buffer);
        } catch (RuntimeException e) {
            if (buffer != null) {
                out.release(buffer);
            }
            throw e;
        }
    }

    private synchronized FoldedWeights folded(BatchNorm2d bn) {
        Tensor w = parameter("weight");
        Tensor b = parameter("bias");
        FoldedWeights f = folded;
        if (f == null || !f.isCurrent(w, b, bn)) {
            f = FoldedWeights.fold(w, b, bn);
            folded = f;
        }
        return f;
    }

    @Override
    public String toString() {
        Tensor w = parameter("weight");
        return "Conv2d(" + inChannels + ", " + outChannels + ", kernel=" + w.dim(2) + "x" + w.dim(3) + ", stride="
                + options.strideH() + ", groups=" + options.groups() + ")";
    }
}
