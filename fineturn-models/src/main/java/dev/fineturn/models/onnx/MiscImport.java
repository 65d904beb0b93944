package dev.fineturn.models.onnx;

import dev.fineturn.io.WeightFormatException;
import dev.fineturn.nn.ZeroPad2d;
import dev.fineturn.ops.ShapeOps;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Identity, Dropout and Cast (pass-throughs at inference) and constant Pad of H and W. */
final class MiscImport {
    private MiscImport() {
    }

    static void register(Map<String, Converter> m) {
        m.put("Identity", c -> c.in(0));
        m.put("Dropout", MiscImport::dropout);
        m.put("Cast", MiscImport::cast);
        m.put("Pad", MiscImport::pad);
    }

    private static Value dropout(OpContext c) throws WeightFormatException {
        Dropouts.check(c);
        Value x = c.in(0);
        OnnxTensor mask = Dropouts.mask(x.shape());
        if (mask != null) {
            c.defineOutput(1, new Value.Const(mask));
        }
        return x;
    }

    private static Value cast(OpContext c) throws WeightFormatException {
        DataType to = ConstantFolder.castTarget(c);
        if (to != DataType.FLOAT) {
            throw c.unsupported("run-time tensors are float32; cast to " + to + " is not supported");
        }
        return c.in(0);
    }

    /** Constant padding of the last two axes of NCHW input, by zero or by a constant value. */
    private static Value pad(OpContext c) throws WeightFormatException {
        String mode = c.attrs.s("mode", "constant");
        if (!mode.equals("constant")) {
            throw c.unsupported("mode '" + mode + "' is not supported (constant only)");
        }
        Value.Runtime x = c.data(0);
        long[] pads;
        float value;
        if (c.opset < 11) {
            pads = c.attrs.ints(c.opset < 2 ? "paddings" : "pads");
            value = c.attrs.f("value", 0f);
            if (pads == null) {
                throw c.invalid("needs pads");
            }
        } else {
            pads = c.ints(1, "pads");
            value = c.has(2) ? c.scalar(2, "constant_value") : 0f;
            if (c.has(3)) {
                throw c.unsupported("the axes input is not supported");
            }
        }
        int rank = x.rank();
        if (pads.length != 2 * rank) {
            throw c.invalid("pads " + Arrays.toString(pads) + " do not fit rank " + rank);
        }
        for (int i = 0; i < pads.length; i++) {
            int axis = i % rank;
            if (pads[i] < 0 || pads[i] > Integer.MAX_VALUE) {
                throw c.unsupported("negative or oversized pads " + Arrays.toString(pads));
            }
            if (pads[i] != 0 && (rank != 4 || axis < 2)) {
                throw c.unsupported("padding axes other than H and W of NCHW input: pads " + Arrays.toString(pads));
            }
        }
        if (rank != 4) {
            return x;
        }
        int top = (int) pads[2];
        int left = (int) pads[3];
        int bottom = (int) pads[6];
        int right = (int) pads[7];
        long[] in = x.shape();
        long[] out = {in[0], in[1], grow(in[2], top + (long) bottom), grow(in[3], left + (long) right)};
        if (value == 0f) {
            return c.emit(new ZeroPad2d(top, left, bottom, right), List.of(x), out);
        }
        return c.op("Pad(value=" + value + ")", List.of(x),
                ops -> ShapeOps.zeroPad2d(ops[0].add(-value), top, left, bottom, right).add(value), out);
    }

    private static long grow(long d, long by) {
        return Dims.known(d) ? d + by : d;
    }
}
