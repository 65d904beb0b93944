package dev.fineturn.models.arch;

import dev.fineturn.nn.Activation;
import dev.fineturn.nn.BatchNorm2d;
import dev.fineturn.nn.Conv2d;
import dev.fineturn.nn.Sequential;
import dev.fineturn.ops.Conv2dOptions;

/**
 * Convolution without bias, batch norm, activation: torchvision's {@code Conv2dNormActivation},
 * children "0", "1", "2", with "same" padding {@code (kernel - 1) / 2}.
 */
public final class ConvBnAct extends Sequential {
    public ConvBnAct(int in, int out, int kernel, int stride, int groups, Activation.Kind activation) {
        int pad = (kernel - 1) / 2;
        add(new Conv2d(in, out, kernel, kernel, Conv2dOptions.of(stride, pad).withGroups(groups), false));
        add(BatchNorm2d.inPlace(out));
        // In place where it can be (torchvision's inplace=True): its input is always this block's batch norm output.
        boolean inPlace = activation == Activation.Kind.RELU || activation == Activation.Kind.RELU6;
        add(new Activation(activation, inPlace));
    }

    public Conv2d conv() {
        return (Conv2d) children().get("0");
    }

    public BatchNorm2d norm() {
        return (BatchNorm2d) children().get("1");
    }

    public Activation activation() {
        return (Activation) children().get("2");
    }
}
