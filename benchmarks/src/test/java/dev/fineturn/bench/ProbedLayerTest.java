package dev.fineturn.bench;

import dev.fineturn.backend.Backends;
import dev.fineturn.models.arch.ResNet;
import dev.fineturn.nn.Init;
import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Probes leave a ResNet's output as it was, and read the heap while a large array is held. */
class ProbedLayerTest {
    @Test
    void aProbedResNetGivesTheSameLogits() {
        Backend b = Backends.get("cpu");
        Init.useBackend(b);
        Init.seed(3);
        ResNet net = new ResNet(ResNet.Block.BASIC, new int[]{1, 1, 1, 1}, 8, 4);
        net.to(b);
        net.eval();
        Tensor x = Tensor.uniform(b, 4, 0f, 1f, 2, 3, 32, 32);
        float[] plain;
        float[] probed;
        HeapProbe probe = new HeapProbe();
        try (var g = GradMode.noGrad()) {
            plain = net.forward(x).toArray();
            ProbedLayer.wrap(net, probe);
            probe.start();
            probed = net.forward(x).toArray();
            probe.stop();
        }
        assertArrayEquals(plain, probed);
        assertTrue(probe.peak() > 0);
        assertTrue(java.util.List.of("maxpool", "layer1.0", "layer2.0", "layer3.0", "layer4.0", "avgpool")
                .contains(probe.where()), probe.where());
    }

    @Test
    void theProbeSeesWhatTheCallerHolds() {
        HeapProbe probe = new HeapProbe();
        probe.start();
        probe.at("empty");
        float[] held = new float[16 << 20];
        probe.at("holding 64 MiB", (Object) held);
        probe.stop();
        assertEquals("holding 64 MiB", probe.where());
        assertTrue(probe.peak() >= 64L << 20, "peak " + probe.peak());
    }
}
