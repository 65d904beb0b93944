package dev.fineturn.models.onnx;

import com.google.protobuf.ByteString;
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
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Batch sizes and image sizes other than the ones a file declares. */
class OnnxDynamicShapeTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void backend() {
        Init.useBackend(ReferenceBackend.get());
    }

    private static Onnx.AttributeProto string(String name, String v) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(v)).build();
    }

    private static Onnx.TensorProto int64s(String name, long... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        return Onnx.TensorProto.newBuilder().setName(name).addDims(v.length)
                .setDataType(Onnx.TensorProto.DataType.INT64_VALUE).setRawData(ByteString.copyFrom(b.array())).build();
    }

    private static Tensor image(int n, int size, long seed) {
        return Tensor.randn(ReferenceBackend.get(), seed, n, 2, size, size);
    }

    @Test
    void samePaddingFollowsTheInputSizeAtRunTime() throws IOException {
        Onnx.GraphProto.Builder g = TestModels.classifier();
        g.setInput(0, TestModels.value("x", -1, 2, -1, -1));
        float[] w = new float[72];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) Math.sin(i);
        }
        g.setInitializer(0, TestModels.floats("w", new long[]{4, 2, 3, 3}, w));
        g.setNode(0, TestModels.node("Conv", "conv", List.of("x", "w"), "c0", string("auto_pad", "SAME_UPPER"),
                TestModels.ints("strides", 2, 2)));
        g.addNode(1, TestModels.node("AveragePool", "pool", List.of("c0"), "c", string("auto_pad", "SAME_UPPER"),
                TestModels.ints("kernel_shape", 2, 2), TestModels.ints("strides", 2, 2)));
        Path p = TestModels.write(dir, "same.onnx", g);
        GraphModel model = OnnxModel.load(p);
        OnnxModel file = OnnxModel.open(p);
        for (int size : new int[]{5, 6, 9}) {
            Tensor x = image(2, size, size);
            float[] expected = file.evaluate(Map.of("x", OnnxTensor.of(x))).get("logits").floats();
            try (var s = GradMode.noGrad()) {
                assertArrayEquals(expected, model.forward(x).toArray(), 1e-5f, "input " + size + "x" + size);
            }
        }
    }

    @Test
    void aReshapeToTheExportedBatchSizeKeepsTheBatch() throws IOException {
        Onnx.GraphProto.Builder g = TestModels.classifier();
        g.setInput(0, TestModels.value("x", 2, 2, 3, 3));
        g.addInitializer(int64s("flat_shape", 2, -1));
        g.setNode(2, TestModels.node("Reshape", "flat", List.of("g", "flat_shape"), "f"));
        GraphModel model = OnnxModel.load(TestModels.write(dir, "batch2.onnx", g));
        try (var s = GradMode.noGrad()) {
            Tensor y = model.forward(image(5, 3, 1));
            assertArrayEquals(new int[]{5, 3}, y.shape());
        }
        assertEquals(4, model.featureSize());
    }
}
