package dev.fineturn.ops;

import dev.fineturn.spi.Backend;
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
        Checks.rank("conv2d", "input", x, 4);
        Checks.rank("conv2d", "weight", weight, 4);
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
}
