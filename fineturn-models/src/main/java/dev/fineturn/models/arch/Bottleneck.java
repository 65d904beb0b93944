package dev.fineturn.models.arch;

import dev.fineturn.nn.Activation;
import dev.fineturn.nn.BatchNorm2d;
import dev.fineturn.nn.Conv2d;
import dev.fineturn.nn.Module;
import dev.fineturn.ops.Arithmetic;
import dev.fineturn.tensor.Tensor;

/**
 * torchvision's ResNet Bottleneck (ResNet v1.5): 1x1 reduce, 3x3 with the stride, 1x1 expand by
 * {@link #EXPANSION}, identity or downsample shortcut.
 */
public final class Bottleneck extends Module {
    public static final int EXPANSION = 4;

    /** {@code downsample} is null for an identity shortcut. */
    public Bottleneck(int inplanes, int planes, int stride, Module downsample) {
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
        var c = children();
        Module relu = c.get("relu");
        Tensor out = relu.forward(c.get("bn1").forward(c.get("conv1").forward(x)));
        out = relu.forward(c.get("bn2").forward(c.get("conv2").forward(out)));
        out = c.get("bn3").forward(c.get("conv3").forward(out));
        Tensor identity = c.containsKey("downsample") ? c.get("downsample").forward(x) : x;
        return relu.forward(Arithmetic.addInPlace(out, identity));
    }
}
