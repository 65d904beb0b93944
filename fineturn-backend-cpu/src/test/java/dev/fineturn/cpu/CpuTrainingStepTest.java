package dev.fineturn.cpu;

import dev.fineturn.nn.Activation;
import dev.fineturn.nn.AvgPool2d;
import dev.fineturn.nn.BatchNorm2d;
import dev.fineturn.nn.Conv2d;
import dev.fineturn.nn.Dropout;
import dev.fineturn.nn.Flatten;
import dev.fineturn.nn.Init;
import dev.fineturn.nn.Linear;
import dev.fineturn.nn.MaxPool2d;
import dev.fineturn.nn.Layer;
import dev.fineturn.nn.Sequential;
import dev.fineturn.ops.Losses;
import dev.fineturn.optim.AdamW;
import dev.fineturn.optim.ParamGroup;
import dev.fineturn.optim.Sgd;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.spi.Backend;
import dev.fineturn.backend.FallbackLog;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Two full training steps of a small CNN (convolution with bias, batch norm in training mode,
 * ReLU, max and average pooling, dropout, a linear head, label-smoothed cross-entropy, backward,
 * SGD with Nesterov momentum on the features and AdamW on the head) on the CPU backend: no kernel
 * may fall back to the reference, and the losses, parameters and batch-norm buffers must match the
 * same steps on the reference backend.
 */
class CpuTrainingStepTest {
    private static final int[] LABELS = {0, 3, 9, 1, 4, 4, 7, 2};
    private static final int STEPS = 2;

    private record Trained(float[] losses, Map<String, float[]> state) {
    }

    @AfterEach
    void restoreDefaultBackend() {
        Init.useBackend(null);
    }

    private static Layer model() {
        return new Sequential(
                new Conv2d(3, 16, 3, 1, 1, true), new BatchNorm2d(16), Activation.relu(),
                new MaxPool2d(2, 2),
                new Conv2d(16, 16, 3, 1, 1, false), new BatchNorm2d(16), Activation.relu(),
                new AvgPool2d(2, 2),
                new Flatten(), new Dropout(0.25f),
                new Linear(16 * 10 * 10, 10, true));
    }

    private static Trained train(Backend backend) {
        Init.useBackend(backend);
        Init.seed(2024);
        Layer model = model();
        Linear head = (Linear) model.module("10");
        List<Tensor> headParams = head.parameters();
        List<Tensor> features = model.parameters().stream()
                .filter(p -> headParams.stream().noneMatch(h -> h == p)).toList();
        Sgd sgd = new Sgd(List.of(new ParamGroup("features", features, 0.05, 1e-4)), 0.9, 0, true);
        AdamW adamw = new AdamW(List.of(new ParamGroup("head", headParams, 1e-3, 0.01)));
        Tensor x = Tensor.randn(backend, 11, LABELS.length, 3, 40, 40);
        float[] losses = new float[STEPS];
        model.train(true);
        for (int step = 0; step < STEPS; step++) {
            Tensor loss = Losses.crossEntropy(model.forward(x), LABELS, 0.1f);
            losses[step] = loss.item();
            loss.backward();
            sgd.step();
            adamw.step();
            model.zeroGrad();
        }
        Map<String, float[]> state = new LinkedHashMap<>();
        model.stateDict().forEach((name, t) -> state.put(name, t.toArray()));
        return new Trained(losses, state);
    }

    @Test
    void trainingStepsRunOnlyCpuKernelsAndMatchTheReference() {
        Trained cpu = train(CpuBackend.get());
        List<String> cpuFallbacks = FallbackLog.fallbacks().stream().filter(f -> f.startsWith("cpu/")).sorted()
                .toList();
        assertEquals(List.of(), cpuFallbacks, "CPU kernels that fell back to the reference");

        Trained reference = train(ReferenceBackend.get());
        for (int step = 0; step < STEPS; step++) {
            float e = reference.losses()[step];
            float a = cpu.losses()[step];
            assertTrue(Math.abs(e - a) <= 1e-4 * Math.abs(e), "loss at step " + step + ": " + a + " vs " + e);
        }
        assertEquals(reference.state().keySet(), cpu.state().keySet());
        for (String name : reference.state().keySet()) {
            assertClose(name, reference.state().get(name), cpu.state().get(name));
        }
    }

    /** Parameters after two updates: within 1e-4 of the tensor's scale, or 1e-6 absolute. */
    private static void assertClose(String name, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, name);
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < expected.length; i++) {
            double tol = 1e-4 * Math.max(Math.abs(expected[i]), 0.1 * scale) + 1e-6;
            if (!(Math.abs(expected[i] - actual[i]) <= tol)) {
                fail(name + "[" + i + "]: reference " + expected[i] + ", cpu " + actual[i]);
            }
        }
    }
}
