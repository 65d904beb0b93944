package dev.fineturn.bench;

import dev.fineturn.backend.Backends;
import dev.fineturn.models.arch.MobileNetV2;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Init;
import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ONNX Runtime peer runs the model fineturn runs, and its check tells another model apart. */
class OrtInferenceTest {
    @Test
    void theSessionGivesFineturnsLogitsAndRefusesAnotherModelsWeights() throws Exception {
        Backend b = Backends.get("cpu");
        Classifier net = InferenceModels.create("mobilenet_v2", b);
        Tensor x = Tensor.uniform(b, 5, 0f, 1f, 2, 3, 32, 32);
        try (OrtInference ort = new OrtInference(net, x, 1)) {
            ort.checkAgainst(net, x, "mobilenet_v2");
            float[] logits = ort.logits();
            assertEquals(2 * 10, logits.length);
            Init.seed(2);
            Classifier other = MobileNetV2.mobilenetV2(10);
            other.to(b);
            other.eval();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> ort.checkAgainst(other, x, "mobilenet_v2, other weights"));
            assertTrue(e.getMessage().contains("differ from fineturn's"), e.getMessage());
            float[] theirs;
            try (var g = GradMode.noGrad()) {
                theirs = other.forward(x).toArray();
            }
            assertTrue(maxDiff(theirs, logits) > 1e-2, "the two models' logits should differ");
        }
    }

    private static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }
}
