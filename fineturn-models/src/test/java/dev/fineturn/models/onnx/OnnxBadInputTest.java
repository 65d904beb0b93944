package dev.fineturn.models.onnx;

import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.onnx.proto.Onnx;
import dev.fineturn.nn.Init;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Corrupt, hostile and unsupported files fail with a WeightFormatException naming the file and problem. */
class OnnxBadInputTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void backend() {
        Init.useBackend(ReferenceBackend.get());
    }

    private static void assertFails(Path file, String problem) {
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> OnnxModel.load(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(problem), "expected '" + problem + "' in: " + e.getMessage());
    }

    @Test
    void aWellFormedModelLoads() throws IOException {
        GraphModel m = OnnxModel.load(TestModels.write(dir, "ok.onnx", TestModels.classifier()));
        assertEquals(3, m.numClasses());
        assertEquals(4, m.featureSize());
        try (var g = GradMode.noGrad()) {
            Tensor y = m.forward(Tensor.ones(ReferenceBackend.get(), 2, 2, 3, 3));
            assertArrayEquals(new float[]{3, 7, 11, 3, 7, 11}, y.toArray(), 1e-5f);
        }
    }

    @Test
    void truncatedAndMalformedProtobuf() throws IOException {
        byte[] good = Files.readAllBytes(TestModels.write(dir, "ok.onnx", TestModels.classifier()));
        Path truncated = dir.resolve("truncated.onnx");
        Files.write(truncated, Arrays.copyOf(good, good.length - 7));
        assertFails(truncated, "malformed or truncated");
        Path garbage = dir.resolve("garbage.onnx");
        Files.write(garbage, "this is not a protobuf at all, just text".getBytes());
        assertFails(garbage, "malformed or truncated");
        Path empty = dir.resolve("empty.onnx");
        Files.write(empty, new byte[0]);
        assertFails(empty, "empty file");
    }

    @Test
    void declaredSizesMustMatchTheData() throws IOException {
        Onnx.GraphProto.Builder g = TestModels.classifier();
        g.setInitializer(0, g.getInitializer(0).toBuilder().setDims(0, 1L << 40));
        assertFails(TestModels.write(dir, "absurd.onnx", g), "has dimension");
        g = TestModels.classifier();
        g.setInitializer(0, g.getInitializer(0).toBuilder().setDims(0, 1 << 20).setDims(1, 1 << 20));
        assertFails(TestModels.write(dir, "huge.onnx", g), "declares more than");
        g = TestModels.classifier();
        g.setInitializer(0, g.getInitializer(0).toBuilder().setDims(0, 400));
        assertFails(TestModels.write(dir, "short.onnx", g), "needs 3200 bytes of raw data, it holds 32");
        g = TestModels.classifier();
        g.setInitializer(0, g.getInitializer(0).toBuilder().setDims(1, -2));
        assertFails(TestModels.write(dir, "negative.onnx", g), "has dimension -2");
    }

    private void writeFcData(String name, int floats) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(floats * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < floats; i++) {
            b.putFloat(i == 0 || i == 5 || i == 10 ? 1f : 0f);
        }
        Files.write(dir.resolve(name), b.array());
    }

    @Test
    void externalDataIsReadRelativeToTheModel() throws IOException {
        writeFcData("fc.bin", 12);
        GraphModel m = OnnxModel.load(TestModels.write(dir, "ext.onnx", TestModels.withExternalFc("fc.bin", 0, 48)));
        assertEquals(3, m.numClasses());
        Files.createDirectories(dir.resolve("sub"));
        writeFcData("sub/fc.bin", 20);
        Path nested = TestModels.write(dir, "nested.onnx", TestModels.withExternalFc("sub/./fc.bin", 32, -1));
        assertEquals(3, OnnxModel.load(nested).numClasses());
    }

    @Test
    void externalDataMayNotLeaveTheFolderOrTheFile() throws IOException {
        Path inner = Files.createDirectories(dir.resolve("model"));
        writeFcData("outside.bin", 12);
        Files.copy(dir.resolve("outside.bin"), inner.resolve("fc.bin"));
        assertFails(TestModels.write(inner, "up.onnx", TestModels.withExternalFc("../outside.bin", 0, 48)),
                "escapes the model's folder");
        assertFails(TestModels.write(inner, "abs.onnx", TestModels.withExternalFc(
                dir.resolve("outside.bin").toAbsolutePath().toString(), 0, 48)), "is absolute");
        Files.createSymbolicLink(inner.resolve("link.bin"), dir.resolve("outside.bin").toAbsolutePath());
        assertFails(TestModels.write(inner, "link.onnx", TestModels.withExternalFc("link.bin", 0, 48)),
                "lies outside the model's folder");
        assertFails(TestModels.write(inner, "past.onnx", TestModels.withExternalFc("fc.bin", 8, 48)),
                "lies past the end of 'fc.bin' (48 bytes)");
        assertFails(TestModels.write(inner, "len.onnx", TestModels.withExternalFc("fc.bin", 0, 40)),
                "declares 40 bytes of external data");
        assertFails(TestModels.write(inner, "missing.onnx", TestModels.withExternalFc("nope.bin", 0, 48)),
                "is missing");
        assertFails(TestModels.write(inner, "offset.onnx", TestModels.withExternalFc("fc.bin", -1, 48)),
                "offset '-1' is not a non-negative integer");
    }

    @Test
    void unknownOperatorsNameTheOpAndTheNode() throws IOException {
        Onnx.GraphProto.Builder g = TestModels.classifier();
        g.setNode(1, g.getNode(1).toBuilder().setOpType("GlobalLpPool"));
        Path p = TestModels.write(dir, "lp.onnx", g);
        UnsupportedOnnxException e = assertThrows(UnsupportedOnnxException.class, () -> OnnxModel.load(p));
        assertTrue(e.getMessage().contains("node 'gap' (GlobalLpPool): operator GlobalLpPool is not supported"),
                e.getMessage());
    }

    @Test
    void theModelMustEndInAFullyConnectedHead() throws IOException {
        Onnx.GraphProto.Builder g = TestModels.classifier();
        g.removeNode(3).removeNode(2).setOutput(0, TestModels.value("g", -1, 4, 1, 1));
        assertFails(TestModels.write(dir, "nohead.onnx", g), "not a Gemm or MatMul layer");
    }

    @Test
    void runTimeOperandsWhereConstantsAreNeeded() throws IOException {
        Onnx.GraphProto.Builder g = TestModels.classifier();
        g.addInitializer(TestModels.floats("shape_f", new long[]{2}, 0, -1));
        g.setNode(2, TestModels.node("Reshape", "flat", List.of("g", "g"), "f"));
        assertFails(TestModels.write(dir, "dynshape.onnx", g),
                "node 'flat' (Reshape): shape ('g') must be a constant");
    }

    @Test
    void nodesMustReadDefinedValues() throws IOException {
        Onnx.GraphProto.Builder g = TestModels.classifier();
        g.setNode(1, TestModels.node("GlobalAveragePool", "gap", List.of("missing"), "g"));
        assertFails(TestModels.write(dir, "dangling.onnx", g),
                "node 'gap' (GlobalAveragePool) reads 'missing', which no graph input, initializer or earlier node");
    }

    @Test
    void pathologicalAttributesAreRejected() throws IOException {
        Onnx.GraphProto.Builder g = TestModels.classifier();
        g.setNode(0, TestModels.node("Conv", "conv", List.of("x", "w"), "c", TestModels.ints("strides", 0, 1)));
        assertFails(TestModels.write(dir, "stride.onnx", g), "attribute strides=[0, 1] has a value out of range");
        g = TestModels.classifier();
        g.setNode(0, TestModels.node("Conv", "conv", List.of("x", "w"), "c", TestModels.ints("pads", 0, 0, 0)));
        assertFails(TestModels.write(dir, "pads.onnx", g), "attribute 'pads' has 3 values, expected 4");
        g = TestModels.classifier();
        g.addNode(2, TestModels.node("ConstantOfShape", "big", List.of("bigshape"), "b"));
        g.addInitializer(Onnx.TensorProto.newBuilder().setName("bigshape").addDims(2)
                .setDataType(Onnx.TensorProto.DataType.INT64_VALUE).addInt64Data(1 << 30).addInt64Data(1 << 30));
        assertFails(TestModels.write(dir, "bigfold.onnx", g), "would have more than");
    }
}
