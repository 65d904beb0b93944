package dev.fineturn.models.onnx;

import com.google.protobuf.ByteString;
import dev.fineturn.models.onnx.proto.Onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Small ONNX models built in code, for error cases. */
final class TestModels {
    private TestModels() {
    }

    static Onnx.TensorProto floats(String name, long[] dims, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name)
                .setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    static Onnx.NodeProto node(String op, String name, List<String> inputs, String output,
                               Onnx.AttributeProto... attrs) {
        return Onnx.NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output)
                .addAllAttribute(List.of(attrs)).build();
    }

    static Onnx.AttributeProto ints(String name, long... v) {
        Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(name)
                .setType(Onnx.AttributeProto.AttributeType.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    static Onnx.ValueInfoProto value(String name, long... dims) {
        Onnx.TensorShapeProto.Builder s = Onnx.TensorShapeProto.newBuilder();
        for (long d : dims) {
            s.addDim(d < 0 ? Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("N")
                    : Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder().setTensorType(
                Onnx.TypeProto.Tensor.newBuilder().setElemType(Onnx.TensorProto.DataType.FLOAT_VALUE).setShape(s)))
                .build();
    }

    /** x [N, 2, 3, 3] -> Conv 1x1 (w) -> GlobalAveragePool -> Flatten -> Gemm (fc) -> logits [N, 3]. */
    static Onnx.GraphProto.Builder classifier() {
        return Onnx.GraphProto.newBuilder().setName("tiny")
                .addInput(value("x", -1, 2, 3, 3))
                .addOutput(value("logits", -1, 3))
                .addInitializer(floats("w", new long[]{4, 2, 1, 1}, 1, 2, 3, 4, 5, 6, 7, 8))
                .addInitializer(floats("fc", new long[]{3, 4}, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0))
                .addNode(node("Conv", "conv", List.of("x", "w"), "c"))
                .addNode(node("GlobalAveragePool", "gap", List.of("c"), "g"))
                .addNode(node("Flatten", "flat", List.of("g"), "f"))
                .addNode(node("Gemm", "fc", List.of("f", "fc"), "logits",
                        Onnx.AttributeProto.newBuilder().setName("transB").setType(
                                Onnx.AttributeProto.AttributeType.INT).setI(1).build()));
    }

    static Path write(Path dir, String name, Onnx.GraphProto.Builder graph) throws IOException {
        Onnx.ModelProto m = Onnx.ModelProto.newBuilder().setIrVersion(8).setProducerName("fineturn-test")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(graph).build();
        Path p = dir.resolve(name);
        Files.write(p, m.toByteArray());
        return p;
    }

    /** The classifier with initializer {@code fc} stored outside the model file. */
    static Onnx.GraphProto.Builder withExternalFc(String location, long offset, long length) {
        Onnx.GraphProto.Builder g = classifier();
        Onnx.TensorProto.Builder fc = g.getInitializer(1).toBuilder().clearRawData()
                .setDataLocation(Onnx.TensorProto.DataLocation.EXTERNAL)
                .addExternalData(Onnx.StringStringEntryProto.newBuilder().setKey("location").setValue(location))
                .addExternalData(Onnx.StringStringEntryProto.newBuilder().setKey("offset").setValue(
                        Long.toString(offset)));
        if (length >= 0) {
            fc.addExternalData(Onnx.StringStringEntryProto.newBuilder().setKey("length").setValue(
                    Long.toString(length)));
        }
        return g.setInitializer(1, fc);
    }
}
