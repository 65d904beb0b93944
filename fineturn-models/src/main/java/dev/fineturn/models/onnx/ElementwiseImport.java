package dev.fineturn.models.onnx;

import dev.fineturn.io.WeightFormatException;
import dev.fineturn.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Add, Sub, Mul and Div with NumPy broadcasting, between two nodes or a node and a constant. */
final class ElementwiseImport {
    private ElementwiseImport() {
    }

    static void register(Map<String, Converter> m) {
        for (String op : new String[]{"Add", "Sub", "Mul", "Div"}) {
            m.put(op, ElementwiseImport::binary);
        }
    }

    private static Value binary(OpContext c) throws WeightFormatException {
        Value a = c.in(0);
        Value b = legacyBroadcast(c, a, c.in(1));
        for (Value v : List.of(a, b)) {
            if (v instanceof Value.Const k && !k.tensor().isReal()) {
                throw c.unsupported("integer operand " + k.tensor() + " in a run-time computation");
            }
        }
        long[] shape = Dims.broadcast(a.shape(), b.shape());
        if (shape == null) {
            throw c.invalid("shapes " + Dims.str(a.shape()) + " and " + Dims.str(b.shape()) + " cannot be broadcast");
        }
        String op = c.opType();
        String description = op + (b instanceof Value.Const k ? "(const " + Arrays.toString(k.tensor().shape()) + ")"
                : a instanceof Value.Const k ? "(const " + Arrays.toString(k.tensor().shape()) + ", x)" : "");
        return c.op(description, List.of(a, b), ops -> apply(op, ops[0], ops[1]), shape);
    }

    /**
     * Before opset 7, B with broadcast=1 and an axis lines up with A from that axis on; trailing
     * size-1 dimensions make NumPy broadcasting do the same.
     */
    private static Value legacyBroadcast(OpContext c, Value a, Value b) throws WeightFormatException {
        if (c.opset >= 7 || c.attrs.i("broadcast", 0) == 0 || !c.attrs.has("axis")) {
            return b;
        }
        int axis = Dims.axis(c.attrs.i("axis", 0), a.rank());
        int trailing = a.rank() - axis - b.rank();
        if (axis < 0 || trailing < 0) {
            throw c.invalid("axis " + c.attrs.i("axis", 0) + " does not place B " + Dims.str(b.shape()) + " in A "
                    + Dims.str(a.shape()));
        }
        long[] shape = Arrays.copyOf(b.shape(), b.rank() + trailing);
        Arrays.fill(shape, b.rank(), shape.length, 1);
        if (b instanceof Value.Const k) {
            return new Value.Const(k.tensor().reshape(shape));
        }
        int[] dims = Dims.toInts(shape);
        if (!Dims.allKnown(shape)) {
            throw c.unsupported("legacy broadcasting of a run-time B of unknown shape " + Dims.str(b.shape()));
        }
        return c.op("Reshape" + Arrays.toString(dims), List.of(b), ops -> ops[0].reshape(dims), shape);
    }

    private static Tensor apply(String op, Tensor a, Tensor b) {
        return switch (op) {
            case "Add" -> a.add(b);
            case "Sub" -> a.sub(b);
            case "Mul" -> a.mul(b);
            default -> a.div(b);
        };
    }
}
