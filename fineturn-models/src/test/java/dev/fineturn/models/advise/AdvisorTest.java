package dev.fineturn.models.advise;

import dev.fineturn.data.InMemoryDataset;
import dev.fineturn.models.arch.Architectures;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.keras.TfjsLayersModel;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Init;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;
import dev.fineturn.train.Strategy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdvisorTest {
    private static InMemoryDataset stripes(int perClass, int size) {
        int n = 3 * perClass;
        float[] px = new float[n * size * size];
        int[] labels = new int[n];
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            for (int p = 0; p < size * size; p++) {
                int row = p / size;
                int col = p % size;
                boolean on = labels[i] == 0 ? row < size / 3 : labels[i] == 1 ? row >= 2 * size / 3 : col < size / 3;
                px[i * size * size + p] = (on ? 0.8f : 0.1f) + 0.1f * (float) r.nextDouble();
            }
        }
        return new InMemoryDataset(px, labels, new int[]{1, size, size}, 3);
    }

    @Test
    void tooFewSamplesPerClassGetOnlyAConvexHead() {
        Init.useBackend(ReferenceBackend.get());
        Init.seed(1);
        Classifier lenet = Architectures.create("lenet", 3);
        Advice a = Advisor.advise(lenet, stripes(8, 28), Advisor.defaultProbes(lenet, 28), 28, 0);
        assertEquals(Strategy.FEATURES, a.strategy(), a.summary());
        assertTrue(a.samplesPerClass() < Advisor.MIN_FINE_TUNE);
        assertEquals(List.of("pixels", Advisor.FEATURES), List.copyOf(a.probeAccuracy().keySet()));
    }

    @Test
    void graphProbesStopAtTheDeepestLayerThatFitsTheInput() throws Exception {
        Init.useBackend(ReferenceBackend.get());
        GraphModel full = TfjsLayersModel.loadResource(TfjsLayersModel.class,
                "/dev/fineturn/models/pretrained/mobilenet_v2/model.json");
        List<String> probes = Advisor.defaultProbes(full, 64);
        assertTrue(probes.size() >= 4, probes.toString());
        assertEquals("out_relu", probes.getLast(), "the 7x7 pooling above out_relu does not fit 64x64 input");
        full.eval();
        List<String> nodes = List.copyOf(full.children().keySet());
        int previous = -1;
        try (var g = GradMode.noGrad()) {
            Tensor x = Tensor.zeros(ReferenceBackend.get(), 1, 3, 64, 64);
            for (String p : probes) {
                assertEquals(4, full.activation(x, p).rank(), p);
                assertTrue(nodes.indexOf(p) > previous, "probes in depth order: " + probes);
                previous = nodes.indexOf(p);
            }
        }
        assertFalse(probes.contains("global_average_pooling2d_1"));
    }
}
