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

/**
 * torchvision's ResNet Bottleneck (ResNet v1.5): 1x1 reduce, 3x3 with the stride, 1x1 expand by
 * {@link #EXPANSION}, identity or downsample shortcut.
 */
public final class Bottleneck extends Layer {
    public static final int EXPANSION = 4;
    private final PlannedBuffer reduced = new PlannedBuffer();
    private final PlannedBuffer mid = new PlannedBuffer();
    private final PlannedBuffer shortcut = new PlannedBuffer();

    /** {@code downsample} is null for an identity shortcut. */
    public Bottleneck(int inplanes, int planes, int stride, Layer downsample) {
        registerModule("conv1", new Conv2d(inplanes, planes, 1, 1, 0, false));
        registerModule("bn1", BatchNorm2d.inPlace(planes));
        registerModule("conv2", new Conv2d(planes, planes, 3, stride, 1, false));
        registerModule("bn2", BatchNorm2d.inPlace(planes));
        registerModule("conv3", new Conv2d(planes, planes * EXPANSION, 1, 1, 0, false));
        registerModule("bn3", BatchNorm2d.inPlace(planes * EXPANSION));
        registerModule("relu", Activation.reluInPlace());
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
        Tensor out = ResNetBlocks.normActivate((BatchNorm2d) c.get("bn1"), c.get("conv1").forward(x), null, relu);
        out = ResNetBlocks.normActivate((BatchNorm2d) c.get("bn2"), c.get("conv2").forward(out), null, relu);
        out = c.get("conv3").forward(out);
        Tensor identity = c.containsKey("downsample") ? c.get("downsample").forward(x) : x;
        return ResNetBlocks.normActivate((BatchNorm2d) c.get("bn3"), out, identity, relu);
    }

    /** Three fused convolutions, the last adding the shortcut before its ReLU; batch norms folded. */
    private Tensor forwardFused(Tensor x) {
        var c = children();
        Tensor a = ((Conv2d) c.get("conv1")).forwardFused((BatchNorm2d) c.get("bn1"), ConvEpilogue.RELU, x, null,
                reduced);
        Tensor b = a;
        Tensor identity = x;
        try {
            b = ((Conv2d) c.get("conv2")).forwardFused((BatchNorm2d) c.get("bn2"), ConvEpilogue.RELU, a, null, mid);
            if (c.get("downsample") instanceof Sequential ds) {
                identity = ((Conv2d) ds.layers().get(0)).forwardFused((BatchNorm2d) ds.layers().get(1),
                        ConvEpilogue.NONE, x, null, shortcut);
            }
            return ((Conv2d) c.get("conv3")).forwardFused((BatchNorm2d) c.get("bn3"), ConvEpilogue.RELU, b, identity,
                    null);
        } finally {
            reduced.release(a);
            mid.release(b);
            shortcut.release(identity);
        }
    }
}
