package dev.fineturn.models.onnx;

import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.graph.OutputActivation;
import dev.fineturn.nn.Init;
import dev.fineturn.nn.Linear;
import dev.fineturn.ops.Losses;
import dev.fineturn.optim.ParamGroup;
import dev.fineturn.optim.Sgd;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Models exported by PyTorch 1.13's torch.onnx.export (make_onnx_fixtures.py) reproduce
 * PyTorch's logits, and train after their head is replaced.
 */
class OnnxParityTest {
    static final Path FIXTURES = Path.of("src/test/resources/fixtures/onnx");

    @BeforeAll
    static void backend() {
        Init.useBackend(ReferenceBackend.get());
        Init.seed(7);
    }

    static Tensor input(String fixture) throws IOException {
        Npy x = Npy.read(FIXTURES.resolve(fixture).resolve("x.npy"));
        return Tensor.of(ReferenceBackend.get(), x.data(), x.shape());
    }

    static void assertClose(String what, float[] expected, float[] actual, double rtol) {
        assertEquals(expected.length, actual.length, what + ": size");
        double maxAbs = 0;
        double maxErr = 0;
        for (int i = 0; i < expected.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
            maxErr = Math.max(maxErr, Math.abs(expected[i] - actual[i]));
        }
        System.out.printf("ONNX parity %s: max |error| %.3g relative to max |logit| %.3g = %.3g%n", what, maxErr,
                maxAbs, maxErr / maxAbs);
        if (maxErr > rtol * maxAbs) {
            fail(what + ": max error " + maxErr + " exceeds " + rtol + " x max |value| " + maxAbs);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny_cnn_opset11", "tiny_cnn_opset13", "mobilenet_v2"})
    void logitsMatchPyTorch(String fixture) throws IOException {
        GraphModel model = OnnxModel.load(FIXTURES.resolve(fixture).resolve("model.onnx"));
        assertEquals(OutputActivation.NONE, model.outputActivation());
        assertTrue(model.head() instanceof Linear);
        float[] expected = Npy.read(FIXTURES.resolve(fixture).resolve("y.npy")).data();
        Tensor x = input(fixture);
        try (var g = GradMode.noGrad()) {
            assertClose(fixture, expected, model.forward(x).toArray(), 1e-4);
            float[] first = model.forward(x.slice(0, 0, 1)).toArray();
            float[] expectedFirst = java.util.Arrays.copyOf(expected, first.length);
            assertClose(fixture + " (batch of 1)", expectedFirst, first, 1e-4);
        }
        OnnxModel file = OnnxModel.open(FIXTURES.resolve(fixture).resolve("model.onnx"));
        Map<String, OnnxTensor> out = file.evaluate(Map.of(file.inputNames().get(0), OnnxTensor.of(x)));
        assertClose(fixture + " (evaluate)", expected, out.get("logits").floats(), 1e-4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny_cnn_opset11", "mobilenet_v2"})
    void trainsWithAReplacedHead(String fixture) throws IOException {
        GraphModel model = OnnxModel.load(FIXTURES.resolve(fixture).resolve("model.onnx"));
        model.replaceHead(10);
        assertEquals(10, model.numClasses());
        model.train(true);
        Tensor x = input(fixture);
        int[] labels = {3, 7};
        Sgd sgd = new Sgd(List.of(new ParamGroup("all", model.trainableParameters(), 0.05, 0)), 0.9, 0, false);
        float first = Float.NaN;
        float last = Float.NaN;
        for (int step = 0; step < 8; step++) {
            sgd.zeroGrad();
            Tensor loss = Losses.crossEntropy(model.forward(x), labels, 0f);
            loss.backward();
            sgd.step();
            last = loss.item();
            if (step == 0) {
                first = last;
            }
        }
        System.out.printf("ONNX %s fine-tuning: loss %.4f -> %.4f%n", fixture, first, last);
        assertTrue(last < first * 0.7f, "loss went from " + first + " to " + last);
    }
}
