package dev.fineturn.models.arch;

import dev.fineturn.nn.Init;
import dev.fineturn.nn.Layer;
import dev.fineturn.ops.Losses;
import dev.fineturn.optim.ParamGroup;
import dev.fineturn.optim.Sgd;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static dev.fineturn.models.arch.Vgg.M;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Blocks are the direct children in forward order; feature-level freezing for MobileNetV2 and VGG. */
class FreezingTest {
    private final Backend b = ReferenceBackend.get();

    @BeforeEach
    void onReference() {
        Init.useBackend(b);
        Init.seed(11);
    }

    private static Set<String> trainable(Layer m) {
        return m.namedParameters().entrySet().stream().filter(e -> e.getValue().requiresGrad())
                .map(Map.Entry::getKey).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> parametersUnder(Layer m, String... prefixes) {
        return m.namedParameters().keySet().stream().filter(k -> List.of(prefixes).stream().anyMatch(k::startsWith))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void resnetBlocksAreInForwardOrder() {
        ResNet r = new ResNet(ResNet.Block.BASIC, new int[]{1, 1, 1, 1}, 4, 3);
        assertEquals(List.of("conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool",
                "fc"), List.copyOf(r.children().keySet()));
        r.freezeFirst(5);
        assertEquals(parametersUnder(r, "layer2.", "layer3.", "layer4.", "fc."), trainable(r));
        assertThrows(IllegalArgumentException.class, () -> r.freezeFirst(11));
    }

    @Test
    void resnetFrozenBackboneKeepsWeightsAndStatisticsWhileTheHeadLearns() {
        ResNet r = new ResNet(ResNet.Block.BOTTLENECK, new int[]{1, 1, 1, 1}, 4, 3);
        r.freezeFirst(9);
        assertEquals(Set.of("fc.weight", "fc.bias"), trainable(r));
        r.train(true);
        float[] conv = r.stateDict().get("layer4.0.conv2.weight").toArray();
        float[] mean = r.stateDict().get("layer4.0.bn3.running_mean").toArray();
        float[] fc = r.stateDict().get("fc.weight").toArray();
        Sgd sgd = new Sgd(List.of(new ParamGroup("all", r.trainableParameters(), 0.1, 0)), 0, 0, false);

        Tensor loss = Losses.crossEntropy(r.forward(Tensor.randn(b, 4, 4, 3, 32, 32)), new int[]{0, 1, 2, 0}, 0f);
        loss.backward();
        sgd.step();

        assertArrayEquals(conv, r.stateDict().get("layer4.0.conv2.weight").toArray(), 0f);
        assertArrayEquals(mean, r.stateDict().get("layer4.0.bn3.running_mean").toArray(), 0f);
        assertEquals(0f, r.stateDict().get("layer4.0.bn3.num_batches_tracked").item());
        float[] fcAfter = r.stateDict().get("fc.weight").toArray();
        double moved = 0;
        for (int i = 0; i < fc.length; i++) {
            moved = Math.max(moved, Math.abs(fcAfter[i] - fc[i]));
        }
        assertFalse(moved == 0, "the head did not change");
    }

    @Test
    void mobilenetFreezesByFeatureBlock() {
        MobileNetV2 m = new MobileNetV2(5, 0.25);
        assertEquals(List.of("features", "classifier"), List.copyOf(m.children().keySet()));
        assertEquals(19, m.featureBlocks());
        m.freezeFeatures(14);
        assertEquals(parametersUnder(m, "features.14.", "features.15.", "features.16.", "features.17.",
                "features.18.", "classifier."), trainable(m));
        m.freezeFeatures(19);
        assertEquals(Set.of("classifier.1.weight", "classifier.1.bias"), trainable(m));
        m.freezeFeatures(0);
        assertEquals(m.namedParameters().keySet(), trainable(m));
        m.freezeFirst(1);
        assertEquals(Set.of("classifier.1.weight", "classifier.1.bias"), trainable(m));
        assertThrows(IllegalArgumentException.class, () -> m.freezeFeatures(20));
    }

    @Test
    void vggFreezesByFeatureLayer() {
        Vgg v = new Vgg(new int[]{4, M, 8, M}, true, 8, 3);
        assertEquals(List.of("features", "avgpool", "classifier"), List.copyOf(v.children().keySet()));
        assertEquals(8, v.featureBlocks());
        v.freezeFeatures(4);
        assertEquals(parametersUnder(v, "features.4.", "features.5.", "classifier."), trainable(v));
    }
}
