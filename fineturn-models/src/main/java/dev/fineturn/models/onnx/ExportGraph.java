package dev.fineturn.models.onnx;

import com.google.protobuf.ByteString;
import dev.fineturn.models.onnx.proto.Onnx;
import dev.fineturn.tensor.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An ONNX graph under construction: nodes whose single output carries the node's (unique) name,
 * and initializers. Names are given by the caller and made unique with a numeric suffix.
 */
final class ExportGraph {
    final Onnx.GraphProto.Builder graph = Onnx.GraphProto.newBuilder().setName("fineturn");
    private final Set<String> names = new HashSet<>();

    /** {@code hint}, or {@code hint_2}, {@code hint_3}, ... when it is taken. */
    String fresh(String hint) {
        String name = hint;
        for (int k = 2; !names.add(name); k++) {
            name = hint + "_" + k;
        }
        return name;
    }

    /** Adds a node of {@code type}; returns its output's name. */
    String op(String hint, String type, List<String> inputs, Onnx.AttributeProto... attributes) {
        String name = fresh(hint);
        Onnx.NodeProto.Builder n = Onnx.NodeProto.newBuilder().setName(name).setOpType(type).addAllInput(inputs)
                .addOutput(name);
        for (Onnx.AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        return name;
    }

    /** Adds a copy of an imported node under a new name, its attributes as they were. */
    String copy(String hint, String type, String domain, List<String> inputs, List<Onnx.AttributeProto> attributes) {
        String name = fresh(hint);
        graph.addNode(Onnx.NodeProto.newBuilder().setName(name).setOpType(type).setDomain(domain)
                .addAllInput(inputs).addOutput(name).addAllAttribute(attributes));
        return name;
    }

    /** A float32 initializer with {@code t}'s shape and values; returns its name. */
    String weight(String hint, Tensor t) {
        float[] v = t.toArray();
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        String name = fresh(hint);
        Onnx.TensorProto.Builder p = Onnx.TensorProto.newBuilder().setName(name)
                .setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(b.array()));
        for (int d : t.shape()) {
            p.addDims(d);
        }
        graph.addInitializer(p);
        return name;
    }

    /** A one-dimensional int64 initializer. */
    String longs(String hint, long... values) {
        String name = fresh(hint);
        Onnx.TensorProto.Builder p = Onnx.TensorProto.newBuilder().setName(name).addDims(values.length)
                .setDataType(Onnx.TensorProto.DataType.INT64_VALUE);
        for (long v : values) {
            p.addInt64Data(v);
        }
        graph.addInitializer(p);
        return name;
    }

    /** A float32 scalar initializer. */
    String scalar(String hint, float v) {
        String name = fresh(hint);
        graph.addInitializer(Onnx.TensorProto.newBuilder().setName(name)
                .setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE).addFloatData(v));
        return name;
    }

    /** An initializer holding an imported constant in its own element type (floats as float32). */
    String constant(String hint, OnnxTensor t, long[] values) {
        String name = fresh(hint);
        Onnx.TensorProto.Builder p = Onnx.TensorProto.newBuilder().setName(name);
        for (long d : t.shape()) {
            p.addDims(d);
        }
        if (t.isReal()) {
            p.setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE);
            for (float f : t.floats()) {
                p.addFloatData(f);
            }
        } else {
            p.setDataType(t.type().code());
            for (long v : values) {
                switch (t.type()) {
                    case INT64 -> p.addInt64Data(v);
                    case UINT32, UINT64 -> p.addUint64Data(v);
                    default -> p.addInt32Data((int) v);
                }
            }
        }
        graph.addInitializer(p);
        return name;
    }

    static Onnx.AttributeProto ints(String name, int... v) {
        Onnx.AttributeProto.Builder b = Onnx.AttributeProto.newBuilder().setName(name)
                .setType(Onnx.AttributeProto.AttributeType.INTS);
        for (int i : v) {
            b.addInts(i);
        }
        return b.build();
    }

    static Onnx.AttributeProto integer(String name, long v) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.INT).setI(v)
                .build();
    }

    static Onnx.AttributeProto real(String name, float v) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.FLOAT)
                .setF(v).build();
    }

    /** A float32 tensor value of the given dimensions; a null dimension is the symbolic batch size "N". */
    static Onnx.ValueInfoProto valueInfo(String name, Integer... dims) {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
        for (Integer d : dims) {
            shape.addDim(d == null ? Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("N")
                    : Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder().setTensorType(
                Onnx.TypeProto.Tensor.newBuilder().setElemType(Onnx.TensorProto.DataType.FLOAT_VALUE)
                        .setShape(shape))).build();
    }
}
