package dev.fineturn.models.arch;

import dev.fineturn.nn.Activation;
import dev.fineturn.nn.BatchNorm2d;
import dev.fineturn.nn.Conv2d;
import dev.fineturn.nn.FusedInference;
import dev.fineturn.nn.Layer;
import dev.fineturn.nn.PlannedBuffer;
import dev.fineturn.nn.Sequential;
import dev.fineturn.ops.Arithmetic;
import dev.fineturn.spi.ConvEpilogue;
import dev.fineturn.tensor.Tensor;

/**
 * MobileNetV2's block as torchvision builds it: {@code conv} holds an optional 1x1 expansion
 * (ConvBnAct), the 3x3 depthwise ConvBnAct, then a linear 1x1 projection and its batch norm; the
 * input is added back when the stride is 1 and the channel count is unchanged.
 */
public final class InvertedResidual extends Layer {
    private final boolean residual;
    private final PlannedBuffer expanded = new PlannedBuffer();
    private final PlannedBuffer filtered = new PlannedBuffer();

    public InvertedResidual(int in, int out, int stride, int expandRatio) {
        if (stride != 1 && stride != 2) {
            throw new IllegalArgumentException("InvertedResidual: stride must be 1 or 2, got " + stride);
        }
        int hidden = in * expandRatio;
        residual = stride == 1 && in == out;
        Sequential conv = new Sequential();
        if (expandRatio != 1) {
            conv.add(new ConvBnAct(in, hidden, 1, 1, 1, Activation.Kind.RELU6));
        }
        conv.add(new ConvBnAct(hidden, hidden, 3, stride, hidden, Activation.Kind.RELU6));
        conv.add(new Conv2d(hidden, out, 1, 1, 0, false));
        conv.add(BatchNorm2d.inPlace(out));
        registerModule("conv", conv);
    }

    /** Whether the block adds its input to its output (stride 1, same channel count). */
    public boolean addsInput() {
        return residual;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (FusedInference.applies(x, this) && activationsFuse()) {
            return forwardFused(x);
        }
        Sequential conv = (Sequential) children().get("conv");
        int n = conv.children().size();
        if (residual && FusedInference.isEnabled() && conv.layers().get(n - 1) instanceof BatchNorm2d projection) {
            // The projection's norm adds the input as one op: the graph keeps no separate sum.
            return projection.forward(conv.forward(x, n - 1), x, ConvEpilogue.NONE);
        }
        Tensor y = conv.forward(x);
        return residual ? Arithmetic.addInPlace(y, x) : y;
    }

    /**
     * The expansion and the depthwise convolution into buffers planned for the block, then the
     * projection adding the input in its epilogue; batch norms folded.
     */
    private Tensor forwardFused(Tensor x) {
        var layers = ((Sequential) children().get("conv")).layers();
        int n = layers.size();
        ConvBnAct depthwise = (ConvBnAct) layers.get(n - 3);
        Tensor e = x;
        Tensor d = x;
        try {
            if (n == 4) {
                ConvBnAct expand = (ConvBnAct) layers.get(0);
                e = expand.conv().forwardFused(expand.norm(), epilogue(expand), x, null, expanded);
            }
            d = depthwise.conv().forwardFused(depthwise.norm(), epilogue(depthwise), e, null, filtered);
            return ((Conv2d) layers.get(n - 2)).forwardFused((BatchNorm2d) layers.get(n - 1), ConvEpilogue.NONE, d,
                    residual ? x : null, null);
        } finally {
            expanded.release(e);
            filtered.release(d);
        }
    }

    private boolean activationsFuse() {
        for (Layer m : children().get("conv").children().values()) {
            if (m instanceof ConvBnAct block && epilogue(block) == null) {
                return false;
            }
        }
        return true;
    }

    private static ConvEpilogue epilogue(ConvBnAct block) {
        return switch (block.activation().kind()) {
            case RELU -> ConvEpilogue.RELU;
            case RELU6 -> ConvEpilogue.RELU6;
            default -> null;
        };
    }
}
