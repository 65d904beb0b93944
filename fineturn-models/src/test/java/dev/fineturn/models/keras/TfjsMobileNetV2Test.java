package dev.fineturn.models.keras;

import dev.fineturn.data.Layouts;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.graph.OutputActivation;
import dev.fineturn.nn.Init;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The bundled real pretrained MobileNetV2 (TF.js layers, uint8-quantized) reproduces the outputs
 * that @tensorflow/tfjs 4.22 computed for a fixed input.
 */
class TfjsMobileNetV2Test {
    private static GraphModel model;
    private static Tensor x;

    @BeforeAll
    static void load() throws IOException {
        Init.useBackend(ReferenceBackend.get());
        model = TfjsLayersModel.loadResource(TfjsLayersModel.class,
                "/dev/fineturn/models/pretrained/mobilenet_v2/model.json");
        model.eval();
        TestNpy.Array in = TestNpy.read("/fixtures/mobilenet_v2/x.npy");
        x = Tensor.of(ReferenceBackend.get(), Layouts.nhwcToNchw(in.data(), 1, 3, 224, 224), 1, 3, 224, 224);
    }

    private static void assertMatches(String what, TestNpy.Array expectedNhwc, Tensor actualNchw, double rtol) {
        int[] s = expectedNhwc.shape();
        float[] expected = expectedNhwc.data();
        float[] actual = s.length == 4 ? Layouts.nchwToNhwc(actualNchw.toArray(), s[0], s[3], s[1], s[2])
                : actualNchw.toArray();
        assertEquals(expected.length, actual.length, what + " size");
        double maxAbs = 0;
        double maxErr = 0;
        for (int i = 0; i < expected.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
            maxErr = Math.max(maxErr, Math.abs(expected[i] - actual[i]));
        }
        System.out.printf("%s: max |error| %.3g relative to max |value| %.3g = %.3g%n", what, maxErr, maxAbs,
                maxErr / maxAbs);
        if (maxErr > rtol * maxAbs) {
            fail(what + ": max error " + maxErr + " exceeds " + rtol + " x max value " + maxAbs);
        }
    }

    @Test
    void structureAndHead() {
        assertEquals(GraphModel.Layout.NHWC, model.sourceLayout());
        assertEquals(OutputActivation.SOFTMAX, model.outputActivation());
        assertEquals("dense_3", model.headPath());
        assertEquals(5, model.numClasses());
        assertEquals(128, model.featureSize());
        assertEquals(2_619_461, model.parameterCount() + model.namedBuffers().entrySet().stream()
                .filter(e -> !e.getKey().endsWith("num_batches_tracked")).mapToLong(e -> e.getValue().numel()).sum());
        assertTrue(model.namedParameters().containsKey("block_1_depthwise.weight"));
    }

    @Test
    void reproducesTheTfjsReferenceOutputs() throws IOException {
        try (var g = GradMode.noGrad()) {
            assertMatches("Conv1_relu", TestNpy.read("/fixtures/mobilenet_v2/Conv1_relu.npy"),
                    model.activation(x, "Conv1_relu"), 1e-4);
            assertMatches("block_13_expand_relu", TestNpy.read("/fixtures/mobilenet_v2/block_13_expand_relu.npy"),
                    model.activation(x, "block_13_expand_relu"), 1e-4);
            assertMatches("softmax output", TestNpy.read("/fixtures/mobilenet_v2/y.npy"), model.predict(x), 1e-4);
        }
    }

    @Test
    void truncatingGivesAFreshHeadOnIntermediateFeatures() {
        GraphModel cut = model.truncate("block_13_expand_relu", 10, 64);
        assertEquals(10, cut.numClasses());
        assertEquals(576, cut.featureSize());
        try (var g = GradMode.noGrad()) {
            Tensor small = Tensor.randn(ReferenceBackend.get(), 1, 2, 3, 64, 64);
            assertEquals(2, cut.forward(small).dim(0));
            assertEquals(10, cut.forward(small).dim(1));
        }
    }
}
