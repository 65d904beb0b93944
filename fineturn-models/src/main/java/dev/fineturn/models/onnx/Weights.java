package dev.fineturn.models.onnx;

import dev.fineturn.io.WeightFormatException;
import dev.fineturn.tensor.Tensor;

/** Copies constant values into a module's parameters and buffers. */
final class Weights {
    private Weights() {
    }

    static void copy(OpContext c, Tensor target, float[] values, String what) throws WeightFormatException {
        if (target.numel() != values.length) {
            throw c.invalid(what + " has " + values.length + " values, the layer needs " + target.numel());
        }
        target.copyFrom(Tensor.of(target.backend(), values, target.shape()));
    }

    /** {@code t} as one value per channel: a [C] tensor, or a single value repeated. */
    static float[] perChannel(OpContext c, OnnxTensor t, int channels, String what) throws WeightFormatException {
        float[] v = t.floats();
        if (v.length == channels) {
            return v;
        }
        if (v.length == 1) {
            float[] out = new float[channels];
            java.util.Arrays.fill(out, v[0]);
            return out;
        }
        throw c.invalid(what + " " + t + " does not have " + channels + " values");
    }
}
