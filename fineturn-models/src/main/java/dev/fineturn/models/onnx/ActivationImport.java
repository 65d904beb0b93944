package dev.fineturn.models.onnx;

import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.graph.Unary;
import dev.fineturn.ops.Activations;
import dev.fineturn.tensor.Tensor;

import java.util.List;
import java.util.Map;

/** Relu, LeakyRelu, Sigmoid, Tanh, HardSigmoid, HardSwish, Clip and Softmax. */
final class ActivationImport {
    private ActivationImport() {
    }

    static void register(Map<String, Converter> m) {
        m.put("Relu", c -> unary(c, Unary.of(Unary.Kind.RELU)));
        m.put("Sigmoid", c -> unary(c, Unary.of(Unary.Kind.SIGMOID)));
        m.put("Tanh", c -> unary(c, Unary.of(Unary.Kind.TANH)));
        m.put("HardSwish", c -> unary(c, Unary.of(Unary.Kind.HARD_SWISH)));
        m.put("LeakyRelu", c -> unary(c, new Unary(Unary.Kind.LEAKY_RELU, c.attrs.f("alpha", 0.01f), 0f)));
        m.put("HardSigmoid", c -> unary(c, new Unary(Unary.Kind.HARD_SIGMOID, c.attrs.f("alpha", 0.2f),
                c.attrs.f("beta", 0.5f))));
        m.put("Clip", ActivationImport::clip);
        m.put("Softmax", ActivationImport::softmax);
    }

    private static Value unary(OpContext c, Unary module) throws WeightFormatException {
        Value.Runtime x = c.data(0);
        return c.emit(module, List.of(x), x.shape());
    }

    /** Clip to [lo, hi]; min 0 is a ReLU (relu6 when hi is 6), other bounds shift a clipped ReLU. */
    private static Value clip(OpContext c) throws WeightFormatException {
        float lo;
        float hi;
        if (c.opset < 11) {
            lo = c.attrs.f("min", Float.NEGATIVE_INFINITY);
            hi = c.attrs.f("max", Float.POSITIVE_INFINITY);
        } else {
            lo = c.has(1) ? c.scalar(1, "min") : Float.NEGATIVE_INFINITY;
            hi = c.has(2) ? c.scalar(2, "max") : Float.POSITIVE_INFINITY;
        }
        lo = lo <= -Float.MAX_VALUE ? Float.NEGATIVE_INFINITY : lo;
        hi = hi >= Float.MAX_VALUE ? Float.POSITIVE_INFINITY : hi;
        if (Float.isNaN(lo) || Float.isNaN(hi) || lo > hi) {
            throw c.unsupported("Clip with min " + lo + " above max " + hi);
        }
        Value.Runtime x = c.data(0);
        if (lo == 0f) {
            return c.emit(hi == Float.POSITIVE_INFINITY ? Unary.of(Unary.Kind.RELU)
                    : new Unary(Unary.Kind.CLIP_MAX, hi, 0f), List.of(x), x.shape());
        }
        float min = lo;
        float max = hi;
        return c.op("Clip(" + lo + ", " + hi + ")", List.of(x), ops -> clamp(ops[0], min, max), x.shape());
    }

    private static Tensor clamp(Tensor x, float lo, float hi) {
        boolean low = lo != Float.NEGATIVE_INFINITY;
        boolean high = hi != Float.POSITIVE_INFINITY;
        if (low && high) {
            return Activations.clippedRelu(x.add(-lo), hi - lo).add(lo);
        }
        if (low) {
            return Activations.relu(x.add(-lo)).add(lo);
        }
        if (high) {
            return Activations.relu(x.neg().add(hi)).neg().add(hi);
        }
        return x;
    }

    /** Opset 13 normalises along one axis; earlier versions over all axes from {@code axis} on. */
    private static Value softmax(OpContext c) throws WeightFormatException {
        Value.Runtime x = c.data(0);
        int rank = x.rank();
        long attr = c.attrs.i("axis", c.opset < 13 ? 1 : -1);
        int axis = Dims.axis(attr, rank);
        if (axis < 0) {
            throw c.invalid("axis " + attr + " is out of range for rank " + rank);
        }
        if (rank == 2 && axis == 1) {
            return c.emit(Unary.of(Unary.Kind.SOFTMAX), List.of(x), x.shape());
        }
        if (c.opset >= 13 || axis == rank - 1) {
            return c.op("Softmax(axis=" + axis + ")", List.of(x), ops -> ops[0].softmax(axis), x.shape());
        }
        return c.op("Softmax(flattened from axis " + axis + ")", List.of(x), ops -> {
            int[] shape = ops[0].shape();
            int outer = 1;
            for (int i = 0; i < axis; i++) {
                outer *= shape[i];
            }
            return ops[0].reshape(outer, -1).softmax(1).reshape(shape);
        }, x.shape());
    }
}
