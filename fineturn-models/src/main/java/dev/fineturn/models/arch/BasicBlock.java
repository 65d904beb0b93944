package dev.fineturn.models.arch;

import dev.fineturn.nn.Activation;
import dev.fineturn.nn.BatchNorm2d;
import dev.fineturn.nn.Conv2d;
import dev.fineturn.nn.FusedInference;
import dev.fineturn.nn.Layer;
import dev.fineturn.nn.PlannedBuffer;
import dev.fineturn.nn.Sequential;
import dev.fineturn.spi.ConvEpilogue;
import dev.fineturn.tensor.Tensor;

/** torchvision's ResNet BasicBlock: two 3x3 convolutions, stride on the first, identity or downsample. */
public final class BasicBlock extends Layer {
    public static final int EXPANSION = 1;
    private final PlannedBuffer mid = new PlannedBuffer();
    private final PlannedBuffer shortcut = new PlannedBuffer();

    /** {@code downsample} is null for an identity shortcut. */
    public BasicBlock(int inplanes, int planes, int stride, Layer downsample) {
        registerModule("conv1", new Conv2d(inplanes, planes, 3, stride, 1, false));
        registerModule("bn1", BatchNorm2d.inPlace(planes));
        registerModule("relu", Activation.reluInPlace());
        registerModule("conv2", new Conv2d(planes, planes, 3, 1, 1, false));
        registerModule("bn2", BatchNorm2d.inPlace(planes));
        if (downsample != null) {
            registerModule("downsample", downsample);
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        if (FusedInference.applies(x, this)) {
            return forwardFused(x);
        }
        var c = children();
        Layer relu = c.get("relu");
        BatchNorm2d bn1 = (BatchNorm2d) c.get("bn1");
        BatchNorm2d bn2 = (BatchNorm2d) c.get("bn2");
        Tensor out = c.get("conv1").forward(x);
        out = c.get("conv2").forward(ResNetBlocks.normActivate(bn1, out, null, relu));
        Tensor identity = c.containsKey("downsample") ? c.get("downsample").forward(x) : x;
        return ResNetBlocks.normActivate(bn2, out, identity, relu);
    }

    /** Two fused convolutions, the second adding the shortcut before its ReLU; batch norms folded. */
    private Tensor forwardFused(Tensor x) {
        var c = children();
        Tensor out = ((Conv2d) c.get("conv1")).forwardFused((BatchNorm2d) c.get("bn1"), ConvEpilogue.RELU, x, null,
                mid);
        Tensor identity = x;
        try {
            if (c.get("downsample") instanceof Sequential ds) {
                identity = ((Conv2d) ds.layers().get(0)).forwardFused((BatchNorm2d) ds.layers().get(1),
                        ConvEpilogue.NONE, x, null, shortcut);
            }
            return ((Conv2d) c.get("conv2")).forwardFused((BatchNorm2d) c.get("bn2"), ConvEpilogue.RELU, out, identity,
                    null);
        } finally {
            mid.release(out);
            shortcut.release(identity);
        }
    }
}
