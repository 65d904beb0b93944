package dev.fineturn.models.onnx;

import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.onnx.proto.Onnx;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A node's attributes by name, with type checks and defaults. */
final class Attributes {
    private final Map<String, Onnx.AttributeProto> byName = new HashMap<>();
    private final Path source;
    private final String where;

    Attributes(Onnx.NodeProto node, Path source, String where) {
        for (Onnx.AttributeProto a : node.getAttributeList()) {
            byName.put(a.getName(), a);
        }
        this.source = source;
        this.where = where;
    }

    boolean has(String name) {
        return byName.containsKey(name);
    }

    java.util.Set<String> names() {
        return byName.keySet();
    }

    private Onnx.AttributeProto get(String name, Onnx.AttributeProto.AttributeType type) throws WeightFormatException {
        Onnx.AttributeProto a = byName.get(name);
        if (a == null) {
            return null;
        }
        if (a.hasRefAttrName()) {
            throw new UnsupportedOnnxException(source, where + ": attribute '" + name + "' refers to a function attribute");
        }
        if (a.hasType() && a.getType() != type) {
            throw new WeightFormatException(source, where + ": attribute '" + name + "' is " + a.getType() + ", expected "
                    + type);
        }
        return a;
    }

    long i(String name, long fallback) throws WeightFormatException {
        Onnx.AttributeProto a = get(name, Onnx.AttributeProto.AttributeType.INT);
        return a == null ? fallback : a.getI();
    }

    /** An int attribute that must fit an int and lie in [min, max]. */
    int i(String name, long fallback, long min, long max) throws WeightFormatException {
        long v = i(name, fallback);
        if (v < min || v > max) {
            throw new WeightFormatException(source, where + ": attribute " + name + "=" + v + " is out of range ["
                    + min + ", " + max + "]");
        }
        return (int) v;
    }

    float f(String name, float fallback) throws WeightFormatException {
        Onnx.AttributeProto a = get(name, Onnx.AttributeProto.AttributeType.FLOAT);
        return a == null ? fallback : a.getF();
    }

    String s(String name, String fallback) throws WeightFormatException {
        Onnx.AttributeProto a = get(name, Onnx.AttributeProto.AttributeType.STRING);
        return a == null ? fallback : a.getS().toString(StandardCharsets.UTF_8);
    }

    /** An ints attribute, or null when absent. */
    long[] ints(String name) throws WeightFormatException {
        Onnx.AttributeProto a = get(name, Onnx.AttributeProto.AttributeType.INTS);
        return a == null ? null : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    float[] floats(String name) throws WeightFormatException {
        Onnx.AttributeProto a = get(name, Onnx.AttributeProto.AttributeType.FLOATS);
        if (a == null) {
            return null;
        }
        float[] v = new float[a.getFloatsCount()];
        for (int k = 0; k < v.length; k++) {
            v[k] = a.getFloats(k);
        }
        return v;
    }

    Onnx.TensorProto tensor(String name) throws WeightFormatException {
        Onnx.AttributeProto a = get(name, Onnx.AttributeProto.AttributeType.TENSOR);
        return a == null ? null : a.getT();
    }

    /** An ints attribute of {@code count} values in [min, max], each fitting an int; {@code fill} when absent. */
    int[] ints(String name, int count, long min, long max, int fill) throws WeightFormatException {
        long[] v = ints(name);
        int[] out = new int[count];
        if (v == null) {
            java.util.Arrays.fill(out, fill);
            return out;
        }
        if (v.length != count) {
            throw new WeightFormatException(source, where + ": attribute '" + name + "' has " + v.length
                    + " values, expected " + count);
        }
        for (int k = 0; k < count; k++) {
            if (v[k] < min || v[k] > max) {
                throw new WeightFormatException(source, where + ": attribute " + name + "=" + java.util.Arrays.toString(v)
                        + " has a value out of range [" + min + ", " + max + "]");
            }
            out[k] = (int) v[k];
        }
        return out;
    }
}
