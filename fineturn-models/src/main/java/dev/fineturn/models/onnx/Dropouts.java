package dev.fineturn.models.onnx;

import dev.fineturn.io.WeightFormatException;

import java.util.Arrays;

/** Dropout at inference: the identity, with an all-true mask as its optional second output. */
final class Dropouts {
    private Dropouts() {
    }

    static void check(OpContext c) throws WeightFormatException {
        if (c.opset >= 12 && c.has(2)) {
            OnnxTensor mode = c.constant(2, "training_mode");
            if (mode.size() != 1 || mode.integer(0) != 0) {
                throw c.unsupported("training_mode=true (random dropout at inference) is not supported");
            }
        }
    }

    /** The mask for an input of static shape {@code shape}, or null when that shape is not known. */
    static OnnxTensor mask(long[] shape) {
        if (!Dims.allKnown(shape)) {
            return null;
        }
        long[] ones = new long[(int) HostOps.checkedSize(shape)];
        Arrays.fill(ones, 1);
        return OnnxTensor.ofLongs(DataType.BOOL, shape, ones);
    }
}
