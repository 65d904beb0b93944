package dev.fineturn.models.onnx;

import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.graph.OutputActivation;
import dev.fineturn.models.onnx.proto.Onnx;
import dev.fineturn.nn.Init;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the classifier head is found: Gemm, or MatMul with its bias Add, optionally under Softmax. */
class OnnxHeadTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void backend() {
        Init.useBackend(ReferenceBackend.get());
    }

    /** The test classifier with its Gemm replaced by MatMul (weight [4, 3]) + Add (bias), then Softmax. */
    private static Onnx.GraphProto.Builder matmulSoftmax() {
        Onnx.GraphProto.Builder g = TestModels.classifier();
        g.removeNode(3);
        g.addInitializer(TestModels.floats("wt", new long[]{4, 3}, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0));
        g.addInitializer(TestModels.floats("bias", new long[]{3}, 0.5f, -1f, 2f));
        g.addNode(TestModels.node("MatMul", "mm", List.of("f", "wt"), "mm_out"));
        g.addNode(TestModels.node("Add", "bias_add", List.of("bias", "mm_out"), "logits_raw"));
        g.addNode(TestModels.node("Softmax", "softmax", List.of("logits_raw"), "probs"));
        return g.setOutput(0, TestModels.value("probs", -1, 3));
    }

    @Test
    void matMulAndAddBecomeOneLinearHeadUnderSoftmax() throws IOException {
        GraphModel m = OnnxModel.load(TestModels.write(dir, "mm.onnx", matmulSoftmax()));
        assertEquals("mm", m.headPath());
        assertEquals(OutputActivation.SOFTMAX, m.outputActivation());
        assertArrayEquals(new float[]{0.5f, -1f, 2f}, m.head().namedParameters().get("bias").toArray());
        try (var g = GradMode.noGrad()) {
            Tensor x = Tensor.ones(ReferenceBackend.get(), 1, 2, 3, 3);
            assertArrayEquals(new float[]{3.5f, 6f, 13f}, m.forward(x).toArray(), 1e-5f);
            float[] p = m.predict(x).toArray();
            assertEquals(1f, p[0] + p[1] + p[2], 1e-6f);
            assertTrue(p[2] > 0.99f);
        }
        m.replaceHead(5);
        assertEquals(5, m.numClasses());
    }

    @Test
    void evaluateRunsTheWholeGraphIncludingSoftmax() throws IOException {
        OnnxModel file = OnnxModel.open(TestModels.write(dir, "mm.onnx", matmulSoftmax()));
        assertEquals(List.of("x"), file.inputNames());
        assertEquals(List.of("Conv", "GlobalAveragePool", "Flatten", "MatMul", "Add", "Softmax"), file.operators());
        float[] ones = new float[18];
        java.util.Arrays.fill(ones, 1f);
        OnnxTensor probs = file.evaluate(java.util.Map.of("x", OnnxTensor.ofFloats(new long[]{1, 2, 3, 3}, ones)))
                .get("probs");
        assertArrayEquals(new long[]{1, 3}, probs.shape());
        double z = Math.exp(3.5) + Math.exp(6) + Math.exp(13);
        assertArrayEquals(new float[]{(float) (Math.exp(3.5) / z), (float) (Math.exp(6) / z),
                (float) (Math.exp(13) / z)}, probs.floats(), 1e-6f);
    }

    @Test
    void aClassifierHasOneImageInput() throws IOException {
        Onnx.GraphProto.Builder g = TestModels.classifier().addInput(TestModels.value("extra", -1, 3));
        Path p = TestModels.write(dir, "two.onnx", g);
        UnsupportedOnnxException e = assertThrows(UnsupportedOnnxException.class, () -> OnnxModel.load(p));
        assertTrue(e.getMessage().contains("this graph has 2: [x, extra]"), e.getMessage());
    }
}
