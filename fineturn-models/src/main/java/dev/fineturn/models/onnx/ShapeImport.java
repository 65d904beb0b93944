package dev.fineturn.models.onnx;

import dev.fineturn.io.WeightFormatException;
import dev.fineturn.nn.Flatten;
import dev.fineturn.ops.ShapeOps;
import dev.fineturn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Flatten, Reshape, Unsqueeze, Squeeze, Transpose, Concat, Slice and Gather on run-time tensors. */
final class ShapeImport {
    private ShapeImport() {
    }

    static void register(Map<String, Converter> m) {
        m.put("Flatten", ShapeImport::flatten);
        m.put("Reshape", ShapeImport::reshape);
        m.put("Unsqueeze", ShapeImport::unsqueeze);
        m.put("Squeeze", ShapeImport::squeeze);
        m.put("Transpose", ShapeImport::transpose);
        m.put("Concat", ShapeImport::concat);
        m.put("Slice", ShapeImport::slice);
        m.put("Gather", ShapeImport::gather);
    }

    private static Value flatten(OpContext c) throws WeightFormatException {
        Value.Runtime x = c.data(0);
        long[] out = ShapeRules.flatten(c, x.shape());
        int axis = ShapeRules.flattenAxis(c, x.rank());
        if (axis == 1 && x.rank() >= 2) {
            return c.emit(new Flatten(1), List.of(x), out);
        }
        return c.op("Flatten(axis=" + axis + ")", List.of(x), ops -> {
            int[] s = ops[0].shape();
            int outer = 1;
            for (int i = 0; i < axis; i++) {
                outer *= s[i];
            }
            int inner = 1;
            for (int i = axis; i < s.length; i++) {
                inner *= s[i];
            }
            return ops[0].reshape(outer, inner);
        }, out);
    }

    /**
     * Reshape to a folded target. Its entries stay symbolic where they must: 0 copies an input
     * dimension, a batch marker (or the batch size the file declares, in the leading position)
     * keeps the run-time batch size.
     */
    private static Value reshape(OpContext c) throws WeightFormatException {
        Value.Runtime x = c.data(0);
        long[] target = c.constant(1, "shape").longs();
        boolean allowZero = c.opset >= 14 && c.attrs.i("allowzero", 0) != 0;
        long[] in = x.shape();
        if (in.length > 0 && in[0] == Dims.BATCH && target.length > 0 && target[0] == c.declaredBatch()
                && target[0] > 0) {
            target[0] = Dims.BATCH;
        }
        long[] out = ShapeRules.reshape(c, in, target, allowZero);
        return c.op("Reshape" + Dims.str(target), List.of(x), ops -> {
            int[] s = ops[0].shape();
            int[] t = new int[target.length];
            for (int i = 0; i < t.length; i++) {
                long v = target[i];
                t[i] = v == Dims.BATCH ? s[0] : v == 0 && !allowZero ? s[i] : Math.toIntExact(v);
            }
            return ops[0].reshape(t);
        }, out);
    }

    private static Value unsqueeze(OpContext c) throws WeightFormatException {
        Value.Runtime x = c.data(0);
        boolean[] inserted = ShapeRules.inserted(c, x.rank(), ShapeRules.axes(c));
        return c.op("Unsqueeze", List.of(x), ops -> {
            int[] s = ops[0].shape();
            int[] t = new int[inserted.length];
            for (int i = 0, j = 0; i < t.length; i++) {
                t[i] = inserted[i] ? 1 : s[j++];
            }
            return ops[0].reshape(t);
        }, ShapeRules.unsqueeze(x.shape(), inserted));
    }

    private static Value squeeze(OpContext c) throws WeightFormatException {
        Value.Runtime x = c.data(0);
        boolean[] drop = ShapeRules.dropped(c, x.shape(), ShapeRules.axes(c));
        return c.op("Squeeze", List.of(x), ops -> {
            int[] s = ops[0].shape();
            return ops[0].reshape(java.util.stream.IntStream.range(0, s.length).filter(i -> !drop[i])
                    .map(i -> s[i]).toArray());
        }, ShapeRules.squeeze(x.shape(), drop));
    }

    private static Value transpose(OpContext c) throws WeightFormatException {
        Value.Runtime x = c.data(0);
        int[] perm = ShapeRules.perm(c, x.rank());
        long[] in = x.shape();
        long[] out = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            out[i] = in[perm[i]];
        }
        return c.op("Transpose" + Arrays.toString(perm), List.of(x), ops -> ops[0].permute(perm), out);
    }

    private static Value concat(OpContext c) throws WeightFormatException {
        List<Value> parts = new ArrayList<>();
        for (int i = 0; i < c.inputCount(); i++) {
            parts.add(c.in(i));
        }
        int rank = parts.get(0).rank();
        long attr = c.attrs.i("axis", Long.MIN_VALUE);
        int axis = Dims.axis(attr, rank);
        if (axis < 0) {
            throw c.invalid("axis is missing or out of range for rank " + rank);
        }
        long[] out = parts.get(0).shape();
        for (int i = 1; i < parts.size(); i++) {
            long[] s = parts.get(i).shape();
            if (s.length != rank) {
                throw c.invalid("inputs have ranks " + rank + " and " + s.length);
            }
            out[axis] = Dims.known(out[axis]) && Dims.known(s[axis]) ? out[axis] + s[axis] : Dims.UNKNOWN;
        }
        return c.op("Concat(axis=" + axis + ")", parts, ops -> ShapeOps.concat(axis, ops), out);
    }

    private static Value slice(OpContext c) throws WeightFormatException {
        Value.Runtime x = c.data(0);
        long[] in = x.shape();
        ShapeRules.SliceSpec spec = ShapeRules.slice(c, in.length);
        long[] out = in.clone();
        for (int i = 0; i < spec.axes().length; i++) {
            int d = spec.axes()[i];
            if (Dims.known(in[d])) {
                out[d] = ShapeRules.sliceRange(spec.starts()[i], spec.ends()[i], spec.steps()[i], in[d])[1];
            } else if (!(spec.starts()[i] == 0 && spec.steps()[i] == 1 && spec.ends()[i] >= Integer.MAX_VALUE)) {
                out[d] = Dims.UNKNOWN;
            }
        }
        return c.op("Slice", List.of(x), ops -> {
            Tensor t = ops[0];
            for (int i = 0; i < spec.axes().length; i++) {
                int d = spec.axes()[i];
                long step = spec.steps()[i];
                long[] r = ShapeRules.sliceRange(spec.starts()[i], spec.ends()[i], step, t.dim(d));
                if (step > 0 && step <= Integer.MAX_VALUE) {
                    int start = (int) r[0];
                    t = r[1] == 0 ? t.slice(d, 0, 0) : t.slice(d, start, (int) (start + (r[1] - 1) * step + 1),
                            (int) step);
                } else {
                    long[] idx = new long[(int) r[1]];
                    for (int k = 0; k < idx.length; k++) {
                        idx[k] = r[0] + k * step;
                    }
                    t = Indexing.select(t, d, idx);
                }
            }
            return t;
        }, out);
    }

    private static Value gather(OpContext c) throws WeightFormatException {
        Value.Runtime x = c.data(0);
        long[] in = x.shape();
        int axis = Dims.axis(c.attrs.i("axis", 0), in.length);
        if (axis < 0) {
            throw c.invalid("axis " + c.attrs.i("axis", 0) + " is out of range for rank " + in.length);
        }
        OnnxTensor idx = c.constant(1, "indices");
        long[] indices = Indexing.normalize(c, idx, in[axis]);
        long[] idxShape = idx.shape();
        long[] out = new long[in.length - 1 + idxShape.length];
        System.arraycopy(in, 0, out, 0, axis);
        System.arraycopy(idxShape, 0, out, axis, idxShape.length);
        System.arraycopy(in, axis + 1, out, axis + idxShape.length, in.length - axis - 1);
        return c.op("Gather(axis=" + axis + ")", List.of(x), ops -> {
            Tensor picked = Indexing.select(ops[0], axis, indices);
            int[] s = ops[0].shape();
            int[] t = new int[out.length];
            for (int i = 0; i < t.length; i++) {
                t[i] = i < axis ? s[i] : i < axis + idxShape.length ? (int) idxShape[i - axis]
                        : s[i - idxShape.length + 1];
            }
            return picked.reshape(t);
        }, out);
    }
}
