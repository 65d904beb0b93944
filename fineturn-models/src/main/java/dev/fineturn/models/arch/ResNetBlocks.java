package dev.fineturn.models.arch;

import dev.fineturn.nn.Activation;
import dev.fineturn.nn.BatchNorm2d;
import dev.fineturn.nn.FusedInference;
import dev.fineturn.nn.Layer;
import dev.fineturn.ops.Arithmetic;
import dev.fineturn.spi.ConvEpilogue;
import dev.fineturn.tensor.Tensor;

/** The norm, shortcut add and ReLU that end the ResNet blocks' unfused (training) path. */
final class ResNetBlocks {
    private ResNetBlocks() {
    }

    /**
     * {@code relu(norm(x) + residual)} (residual may be null) as one op where {@code relu} is a plain ReLU and
     * fusion is on ({@link FusedInference#isEnabled}); otherwise norm, add and the activation module one after the
     * other.
     */
    static Tensor normActivate(BatchNorm2d norm, Tensor x, Tensor residual, Layer relu) {
        if (relu instanceof Activation a && a.kind() == Activation.Kind.RELU && FusedInference.isEnabled()) {
            return norm.forward(x, residual, ConvEpilogue.RELU);
        }
        Tensor y = norm.forward(x);
        return relu.forward(residual == null ? y : Arithmetic.addInPlace(y, residual));
    }
}
