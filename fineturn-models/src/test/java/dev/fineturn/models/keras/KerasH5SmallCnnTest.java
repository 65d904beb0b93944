package dev.fineturn.models.keras;

import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.graph.OutputActivation;
import dev.fineturn.nn.Init;
import dev.fineturn.ops.Losses;
import dev.fineturn.optim.ParamGroup;
import dev.fineturn.optim.Sgd;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A small functional CNN saved in Keras' .h5 layout reproduces the outputs that numpy and torch
 * computed for it (make_keras_h5_fixture.py), and fine-tunes like any fineturn classifier.
 */
class KerasH5SmallCnnTest {
    @BeforeEach
    void setUp() {
        Init.useBackend(ReferenceBackend.get());
        Init.seed(11);
    }

    private static GraphModel load() throws IOException {
        GraphModel m = KerasH5Model.load(KerasH5Fixtures.path("small_cnn.h5"));
        m.eval();
        return m;
    }

    private static void assertClose(String what, float[] expected, float[] actual, double rtol) {
        assertEquals(expected.length, actual.length, what + " size");
        double maxAbs = 0;
        double maxErr = 0;
        for (int i = 0; i < expected.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
            maxErr = Math.max(maxErr, Math.abs(expected[i] - actual[i]));
        }
        System.out.printf("%s: max |error| %.3g relative to max |value| %.3g = %.3g%n", what, maxErr, maxAbs,
                maxErr / maxAbs);
        assertTrue(maxErr <= rtol * maxAbs, what + ": max error " + maxErr + " exceeds " + rtol + " x " + maxAbs);
    }

    @Test
    void reproducesTheNumpyAndTorchReference() throws IOException {
        GraphModel m = load();
        Tensor x = KerasH5Fixtures.smallInput();
        try (var g = GradMode.noGrad()) {
            float[] logits = TestNpy.read("/fixtures/keras_h5/small_cnn_logits.npy").data();
            assertClose("logits", logits, m.forward(x).toArray(), 1e-4);
            float[] probabilities = TestNpy.read("/fixtures/keras_h5/small_cnn_y.npy").data();
            assertClose("softmax", probabilities, m.predict(x).toArray(), 1e-4);
        }
    }

    @Test
    void structureAndHead() throws IOException {
        GraphModel m = load();
        assertEquals(GraphModel.Layout.NHWC, m.sourceLayout());
        assertEquals(3, m.inputChannels());
        assertEquals("out", m.headPath());
        assertEquals(OutputActivation.SOFTMAX, m.outputActivation());
        assertEquals(5, m.numClasses());
        assertEquals(16, m.featureSize());
        assertEquals(Set.of("conv1.weight", "bn1.weight", "bn1.bias", "dw.weight", "bn2.weight", "bn2.bias",
                "pw.weight", "pw.bias", "conv3.weight", "conv3.bias", "fc1.weight", "fc1.bias", "out.weight",
                "out.bias"), m.namedParameters().keySet());
        assertArrayEquals(new int[]{16, 1, 3, 3}, m.namedParameters().get("dw.weight").shape());
        assertArrayEquals(new int[]{12, 8, 3, 2}, m.namedParameters().get("conv3.weight").shape());
        assertArrayEquals(new int[]{5, 16}, m.namedParameters().get("out.weight").shape());
        assertTrue(m.namedBuffers().containsKey("bn2.running_var"));
    }

    @Test
    void weightsOnlyFileWithArchitectureJsonGivesTheSameModel() throws IOException {
        GraphModel whole = load();
        GraphModel split = KerasH5Model.load(KerasH5Fixtures.path("small_cnn.json"),
                KerasH5Fixtures.path("small_cnn_weights.h5"));
        split.eval();
        assertEquals(whole.stateDict().keySet(), split.stateDict().keySet());
        whole.stateDict().forEach((k, v) -> assertArrayEquals(v.toArray(), split.stateDict().get(k).toArray(), k));
        Tensor x = KerasH5Fixtures.smallInput();
        try (var g = GradMode.noGrad()) {
            assertArrayEquals(whole.forward(x).toArray(), split.forward(x).toArray());
        }
    }

    @Test
    void replacedHeadTrainsAndLowersTheLoss() throws IOException {
        GraphModel m = load();
        m.replaceHead(3);
        assertEquals(3, m.numClasses());
        assertEquals(OutputActivation.SOFTMAX, m.outputActivation());
        Tensor x = Tensor.randn(ReferenceBackend.get(), 5, 8, 3, 12, 11);
        int[] labels = {0, 1, 2, 0, 1, 2, 0, 1};
        Sgd opt = new Sgd(List.of(new ParamGroup("all", m.trainableParameters(), 0.05, 0)), 0.9, 0, false);
        m.train(true);
        float first = 0;
        float last = 0;
        for (int step = 0; step < 8; step++) {
            Tensor loss = Losses.crossEntropy(m.forward(x), labels, 0f);
            if (step == 0) {
                first = loss.item();
            }
            last = loss.item();
            loss.backward();
            opt.step();
            opt.zeroGrad();
        }
        System.out.printf("fine-tuning loss %.4f -> %.4f%n", first, last);
        assertTrue(last < first, "loss went from " + first + " to " + last);
    }
}
