package dev.fineturn.models.onnx;

import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.onnx.proto.Onnx;

import java.util.Arrays;

/**
 * Computes at load time the nodes whose result is known then: Constant nodes, Shape of a value
 * with a static shape, and the shape arithmetic (Gather, Slice, Concat, Cast, Unsqueeze, ...)
 * over constants that exporters emit around Reshape and Pad.
 */
final class ConstantFolder {
    private ConstantFolder() {
    }

    /** The node's folded output, or null when it has to run as a graph step. */
    static OnnxTensor fold(OpContext c) throws WeightFormatException {
        try {
            return switch (c.opType()) {
                case "Constant" -> constant(c);
                case "Shape" -> shape(c);
                case "Size" -> size(c);
                default -> allConstant(c) ? foldConstants(c) : null;
            };
        } catch (HostOps.MarkerException e) {
            throw c.unsupported("this shape arithmetic depends on the batch size or an unknown dimension");
        }
    }

    private static boolean allConstant(OpContext c) throws WeightFormatException {
        boolean any = false;
        for (int i = 0; i < c.inputCount(); i++) {
            if (c.has(i)) {
                if (!(c.in(i) instanceof Value.Const)) {
                    return false;
                }
                any = true;
            }
        }
        return any;
    }

    private static OnnxTensor foldConstants(OpContext c) throws WeightFormatException {
        OnnxTensor x = c.constant(0, "input");
        return switch (c.opType()) {
            case "Identity" -> x;
            case "Dropout" -> dropout(c, x);
            case "Cast" -> HostOps.cast(x, castTarget(c));
            case "Reshape" -> x.reshape(concrete(c, ShapeRules.reshape(c, x.shape(), c.ints(1, "shape"),
                    c.opset >= 14 && c.attrs.i("allowzero", 0) != 0)));
            case "Flatten" -> x.reshape(ShapeRules.flatten(c, x.shape()));
            case "Unsqueeze" -> x.reshape(ShapeRules.unsqueeze(x.shape(),
                    ShapeRules.inserted(c, x.rank(), ShapeRules.axes(c))));
            case "Squeeze" -> x.reshape(ShapeRules.squeeze(x.shape(), ShapeRules.dropped(c, x.shape(),
                    ShapeRules.axes(c))));
            case "Transpose" -> HostOps.transpose(x, ShapeRules.perm(c, x.rank()));
            case "Gather" -> gather(c, x);
            case "Slice" -> slice(c, x);
            case "Concat" -> concat(c);
            case "Add", "Sub", "Mul", "Div" -> HostOps.binary(c.opType(), x, c.constant(1, "B"));
            case "ConstantOfShape" -> constantOfShape(c);
            default -> null;
        };
    }

    private static long[] concrete(OpContext c, long[] shape) throws WeightFormatException {
        if (!Dims.allKnown(shape)) {
            throw c.invalid("cannot infer the shape " + Dims.str(shape));
        }
        return shape;
    }

    static DataType castTarget(OpContext c) throws WeightFormatException {
        long to = c.attrs.i("to", -1);
        DataType t = to < 0 || to > 1000 ? null : DataType.of((int) to);
        if (t == null || t == DataType.STRING) {
            throw c.unsupported("cast to element type " + to + " is not supported");
        }
        return t;
    }

    private static OnnxTensor constant(OpContext c) throws WeightFormatException {
        Attributes a = c.attrs;
        if (a.has("value")) {
            Onnx.TensorProto t = a.tensor("value");
            return new TensorDecoder(c.source(), new ExternalData(c.source())).decode(t, c.where + " value");
        }
        if (a.has("value_float")) {
            return OnnxTensor.ofFloats(new long[0], new float[]{a.f("value_float", 0)});
        }
        if (a.has("value_floats")) {
            float[] v = a.floats("value_floats");
            return OnnxTensor.ofFloats(new long[]{v.length}, v);
        }
        if (a.has("value_int")) {
            return OnnxTensor.scalarLong(a.i("value_int", 0));
        }
        if (a.has("value_ints")) {
            long[] v = a.ints("value_ints");
            return OnnxTensor.ofLongs(DataType.INT64, new long[]{v.length}, v);
        }
        throw c.unsupported("only tensor, float(s) and int(s) constants are supported, got attributes "
                + a.names());
    }

    private static OnnxTensor shape(OpContext c) throws WeightFormatException {
        long[] s = c.in(0).shape();
        int rank = s.length;
        long start = c.opset >= 15 ? c.attrs.i("start", 0) : 0;
        long end = c.opset >= 15 ? c.attrs.i("end", rank) : rank;
        int from = Math.clamp(start < 0 ? start + rank : start, 0, rank);
        int to = Math.clamp(end < 0 ? end + rank : end, 0, rank);
        long[] v = to > from ? Arrays.copyOfRange(s, from, to) : new long[0];
        return OnnxTensor.ofLongs(DataType.INT64, new long[]{v.length}, v);
    }

    private static OnnxTensor size(OpContext c) throws WeightFormatException {
        long n = Dims.product(c.in(0).shape(), 0, c.in(0).rank());
        if (n == Dims.UNKNOWN) {
            throw c.unsupported("Size of a tensor whose shape is not static: " + Dims.str(c.in(0).shape()));
        }
        return OnnxTensor.scalarLong(n);
    }

    private static OnnxTensor dropout(OpContext c, OnnxTensor x) throws WeightFormatException {
        Dropouts.check(c);
        c.defineOutput(1, new Value.Const(Dropouts.mask(x.shape())));
        return x;
    }

    private static OnnxTensor gather(OpContext c, OnnxTensor x) throws WeightFormatException {
        int axis = Dims.axis(c.attrs.i("axis", 0), x.rank());
        if (axis < 0) {
            throw c.invalid("axis " + c.attrs.i("axis", 0) + " is out of range for rank " + x.rank());
        }
        OnnxTensor idx = c.constant(1, "indices");
        long[] indices = Indexing.normalize(c, idx, x.shape()[axis]);
        return HostOps.gather(x, axis, indices, idx.shape());
    }

    private static OnnxTensor slice(OpContext c, OnnxTensor x) throws WeightFormatException {
        long[] shape = x.shape();
        ShapeRules.SliceSpec spec = ShapeRules.slice(c, shape.length);
        long[] start = new long[shape.length];
        long[] step = new long[shape.length];
        long[] count = shape.clone();
        Arrays.fill(step, 1);
        for (int i = 0; i < spec.axes().length; i++) {
            int d = spec.axes()[i];
            long[] r = ShapeRules.sliceRange(spec.starts()[i], spec.ends()[i], spec.steps()[i], shape[d]);
            start[d] = r[0];
            step[d] = spec.steps()[i];
            count[d] = r[1];
        }
        return HostOps.slice(x, start, step, count);
    }

    private static OnnxTensor concat(OpContext c) throws WeightFormatException {
        OnnxTensor[] parts = new OnnxTensor[c.inputCount()];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = c.constant(i, "input " + i);
        }
        int rank = parts[0].rank();
        int axis = Dims.axis(c.attrs.i("axis", Long.MIN_VALUE), rank);
        if (axis < 0) {
            throw c.invalid("axis is missing or out of range for rank " + rank);
        }
        for (OnnxTensor p : parts) {
            long[] a = p.shape();
            long[] b = parts[0].shape();
            a[axis] = 0;
            b[axis] = 0;
            if (!Arrays.equals(a, b) || p.isReal() != parts[0].isReal()) {
                throw c.invalid("cannot concatenate " + parts[0] + " and " + p + " along axis " + axis);
            }
        }
        return HostOps.concat(axis, parts);
    }

    private static OnnxTensor constantOfShape(OpContext c) throws WeightFormatException {
        long[] shape = c.ints(0, "shape");
        HostOps.checkedSize(shape);
        Onnx.TensorProto v = c.attrs.tensor("value");
        OnnxTensor value = v == null ? OnnxTensor.ofFloats(new long[]{1}, new float[]{0})
                : new TensorDecoder(c.source(), null).decode(v, c.where + " value");
        if (value.size() != 1) {
            throw c.invalid("value must hold one element, got " + value);
        }
        return HostOps.map(value, shape, i -> 0);
    }
}
