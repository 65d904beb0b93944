package dev.fineturn.models.arch;

import dev.fineturn.nn.Activation;
import dev.fineturn.nn.BatchNorm2d;
import dev.fineturn.nn.Conv2d;
import dev.fineturn.nn.Module;
import dev.fineturn.nn.Sequential;
import dev.fineturn.ops.Arithmetic;
import dev.fineturn.tensor.Tensor;

/**
 * MobileNetV2's block as torchvision builds it: {@code conv} holds an optional 1x1 expansion
 * (ConvBnAct), the 3x3 depthwise ConvBnAct, then a linear 1x1 projection and its batch norm; the
 * input is added back when the stride is 1 and the channel count is unchanged.
 */
public final class InvertedResidual extends Module {
    private final boolean residual;

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
        Tensor y = children().get("conv").forward(x);
        return residual ? Arithmetic.addInPlace(y, x) : y;
    }
}
