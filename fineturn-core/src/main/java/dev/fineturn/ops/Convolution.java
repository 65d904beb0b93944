package dev.fineturn.ops;

import dev.fineturn.spi.Backend;
import dev.fineturn.spi.ConvEpilogue;
import dev.fineturn.spi.ConvGeometry;
import dev.fineturn.tensor.Autograd;
import dev.fineturn.tensor.Shape;
import dev.fineturn.tensor.Tensor;

/** 2-D convolution over NCHW input with OIHW weights and an optional bias. */
public final class Convolution {
    private Convolution() {
    }

    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, Conv2dOptions o) {
        Backend b = Checks.sameBackend("conv2d", x, weight, bias);
        ConvGeometry g = geometry("conv2d", x, weight, bias, o);
        Tensor xd = x.contiguous();
        Tensor wd = weight.contiguous();
        Tensor y = Tensor.zeros(b, g.batch(), g.outChannels(), g.outH(), g.outW());
        b.conv2dForward(g, xd.storage(), wd.storage(), y.storage());
        if (Autograd.isRecording(xd, wd)) {
            Autograd.record(y, "conv2d", grad -> {
                Tensor gd = grad.contiguous();
                Tensor dx = null;
                Tensor dw = null;
                if (xd.requiresGrad()) {
                    dx = Tensor.zeros(b, xd.shape());
                    b.conv2dBackwardData(g, gd.storage(), wd.storage(), dx.storage());
                }
                if (wd.requiresGrad()) {
                    dw = Tensor.zeros(b, wd.shape());
                    b.conv2dBackwardWeights(g, xd.storage(), gd.storage(), dw.storage());
                }
                return new Tensor[]{dx, dw};
            }, xd, wd);
        }
        if (bias == null) {
            return y;
        }
        return Arithmetic.add(y, bias.reshape(1, g.outChannels(), 1, 1));
    }

    /**
     * An inference convolution with its epilogue, {@code act(conv(x, weight) + bias + residual)},
     * in one backend call ({@link Backend#conv2dForwardFused}). Records no graph: for frozen layers
     * and no-grad passes only. {@code bias} and {@code residual} may be null; {@code out}, when not
     * null, is the dense output tensor to overwrite (a buffer reused from batch to batch).
     */
    public static Tensor conv2dFused(Tensor x, Tensor weight, Tensor bias, Tensor residual, ConvEpilogue act,
                                     Conv2dOptions o, Tensor out) {
        Backend b = Checks.sameBackend("conv2d", x, weight, bias);
        ConvGeometry g = geometry("conv2d", x, weight, bias, o);
        int[] shape = {g.batch(), g.outChannels(), g.outH(), g.outW()};
        if (residual != null && !java.util.Arrays.equals(residual.shape(), shape)) {
            throw new IllegalArgumentException("conv2d: residual " + Shape.str(residual.shape())
                    + " does not match the output " + Shape.str(shape));
        }
        Tensor y = out != null && out.isContiguous() && out.offset() == 0 && java.util.Arrays.equals(out.shape(), shape)
                ? out : Tensor.zeros(b, shape);
        b.conv2dForwardFused(g, x.contiguous().storage(), weight.contiguous().storage(),
                bias == null ? null : bias.contiguous().storage(),
                residual == null ? null : residual.contiguous().storage(), act, y.storage());
        return y;
    }

    /** The NCHW shape of conv2d(x, weight). */
    public static int[] outputShape(Tensor x, Tensor weight, Conv2dOptions o) {
        ConvGeometry g = geometry("conv2d", x, weight, null, o);
        return new int[]{g.batch(), g.outChannels(), g.outH(), g.outW()};
    }

    private static ConvGeometry geometry(String op, Tensor x, Tensor weight, Tensor bias, Conv2dOptions o) {
        Checks.rank(op, "input", x, 4);
        Checks.rank(op, "weight", weight, 4);
        int c = x.dim(1);
        if (weight.dim(1) * o.groups() != c) {
            throw new IllegalArgumentException("conv2d: input " + Shape.str(x.shape()) + " has " + c
                    + " channels but weight " + Shape.str(weight.shape()) + " with groups=" + o.groups()
                    + " expects " + weight.dim(1) * o.groups());
        }
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != weight.dim(0))) {
            throw new IllegalArgumentException("conv2d: bias " + Shape.str(bias.shape()) + " does not match weight "
                    + Shape.str(weight.shape()));
        }
        ConvGeometry g;
        try {
            g = new ConvGeometry(x.dim(0), c, x.dim(2), x.dim(3), weight.dim(0), weight.dim(2), weight.dim(3),
                    o.strideH(), o.strideW(), o.padTop(), o.padLeft(), o.padBottom(), o.padRight(),
                    o.dilationH(), o.dilationW(), o.groups());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (input " + Shape.str(x.shape()) + ", weight "
                    + Shape.str(weight.shape()) + ")", e);
        }
        return g;
    }
}
