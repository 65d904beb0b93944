package dev.fineturn.nn;

import dev.fineturn.ops.Losses;
import dev.fineturn.optim.ParamGroup;
import dev.fineturn.optim.Sgd;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.Autograd;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FreezingTest {
    private final Backend b = ReferenceBackend.get();

    @BeforeEach
    void setUp() {
        Init.useBackend(b);
        Init.seed(3);
    }

    private Tensor batch() {
        return Tensor.randn(b, 11, 6, 3, 12, 12);
    }

    private static final int[] LABELS = {0, 1, 2, 3, 4, 0};

    private static Map<String, float[]> snapshot(Layer m) {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> out.put(k, v.toArray()));
        return out;
    }

    @Test
    void stateDictUsesPyTorchDottedNames() {
        SmallCnn m = new SmallCnn(3, 5);
        assertTrue(m.stateDict().containsKey("stem.0.weight"));
        assertTrue(m.stateDict().containsKey("stem.1.running_mean"));
        assertTrue(m.stateDict().containsKey("block2.1.num_batches_tracked"));
        assertTrue(m.stateDict().containsKey("fc.bias"));
        assertFalse(m.namedParameters().containsKey("stem.1.running_mean"), "buffers are not parameters");
    }

    @Test
    void frozenParametersGetNoGradientAndStayBitIdenticalThroughTraining() {
        SmallCnn m = new SmallCnn(3, 5);
        m.freezeFirst(3); // stem, block1, block2
        Map<String, float[]> before = snapshot(m);
        Sgd opt = new Sgd(List.of(new ParamGroup("all", m.parameters(), 0.1, 0.05)), 0.9, 0, false);
        m.train(true);
        for (int step = 0; step < 3; step++) {
            Losses.crossEntropy(m.forward(batch()), LABELS, 0f).backward();
            opt.step();
            opt.zeroGrad();
            m.train(true); // switching to train mode again must not undo freezing
        }
        Map<String, float[]> after = snapshot(m);
        for (String k : before.keySet()) {
            boolean frozenPart = k.startsWith("stem") || k.startsWith("block");
            if (frozenPart) {
                assertArrayEquals(before.get(k), after.get(k), k + " changed although frozen");
            }
        }
        assertFalse(java.util.Arrays.equals(before.get("fc.weight"), after.get("fc.weight")), "the head must train");
        for (var e : m.namedParameters().entrySet()) {
            assertEquals(!e.getKey().startsWith("stem") && !e.getKey().startsWith("block"), e.getValue().requiresGrad(),
                    e.getKey());
        }
    }

    @Test
    void frozenBatchNormUsesAndKeepsItsRunningStatisticsInTrainMode() {
        SmallCnn m = new SmallCnn(3, 5);
        BatchNorm2d bn = (BatchNorm2d) m.module("stem.1");
        Tensor rm = m.namedBuffers().get("stem.1.running_mean");
        rm.copyFrom(Tensor.of(b, new float[]{0.3f, -0.2f, 0.1f, 0f, 0.5f, -0.4f, 0.2f, 0.05f}, 8));
        float[] meanBefore = rm.toArray();
        m.module("stem").freeze();
        m.train(true);
        Tensor x = batch();
        Tensor conv = m.module("stem.0").forward(x);
        Tensor trainOut = bn.forward(conv);
        assertArrayEquals(meanBefore, rm.toArray(), "running mean updated by a frozen batch norm");
        m.eval();
        assertArrayEquals(bn.forward(conv).toArray(), trainOut.toArray(), "frozen BN must equal eval-mode BN");
        m.module("stem").unfreeze();
        m.train(true);
        bn.forward(conv);
        assertFalse(java.util.Arrays.equals(meanBefore, rm.toArray()), "an unfrozen BN in train mode updates");
    }

    @Test
    void nothingIsRecordedThroughAFrozenPrefix() {
        SmallCnn m = new SmallCnn(3, 5);
        m.freezeFirst(3);
        m.train(true);
        Tensor x = batch();
        long before = Autograd.recordedNodes();
        Tensor features = m.features(x);
        assertEquals(before, Autograd.recordedNodes(), "frozen backbone recorded graph nodes");
        assertNull(features.gradFn());
        Tensor loss = Losses.crossEntropy(m.head().forward(features), LABELS, 0f);
        assertNotNull(loss.gradFn());
        loss.backward();
        for (var e : m.namedParameters().entrySet()) {
            assertEquals(e.getKey().startsWith("fc"), e.getValue().grad() != null, e.getKey());
        }
    }

    @Test
    void freezeUpToFreezesEverythingUpToTheNamedModule() {
        SmallCnn m = new SmallCnn(3, 5);
        m.freezeUpTo("block1.1");
        List<String> frozen = new ArrayList<>();
        m.namedParameters().forEach((k, v) -> {
            if (!v.requiresGrad()) {
                frozen.add(k);
            }
        });
        assertEquals(List.of("stem.0.weight", "stem.1.weight", "stem.1.bias", "block1.0.weight", "block1.1.weight",
                "block1.1.bias"), frozen);
        m.unfreeze();
        assertEquals(m.parameters().size(), m.trainableParameters().size());
        assertThrows(IllegalArgumentException.class, () -> m.freezeUpTo("nope"));
        assertThrows(IllegalArgumentException.class, () -> m.freezeFirst(9));
    }

    @Test
    void singleParameterFreezingAndWeightDecaySkipsFrozen() {
        SmallCnn m = new SmallCnn(3, 5);
        m.setParameterFrozen("fc.bias", true);
        float[] bias = m.namedParameters().get("fc.bias").toArray();
        Sgd opt = new Sgd(List.of(new ParamGroup("all", m.parameters(), 0.5, 0.9)), 0, 0, false);
        Losses.crossEntropy(m.forward(batch()), LABELS, 0f).backward();
        opt.step();
        assertArrayEquals(bias, m.namedParameters().get("fc.bias").toArray(), "weight decay touched a frozen bias");
    }

    @Test
    void replaceHeadGivesAFreshTrainableHeInitialisedLayer() {
        SmallCnn m = new SmallCnn(3, 1000);
        m.freeze();
        Linear head = m.replaceHead(10);
        assertEquals(10, m.numClasses());
        assertEquals(16, head.inFeatures());
        assertTrue(m.namedParameters().get("fc.weight").requiresGrad());
        assertArrayEquals(new float[10], m.namedParameters().get("fc.bias").toArray());
        SmallCnn big = new SmallCnn(3, 5);
        Init.seed(11);
        Linear wide = new Linear(400, 300, true, Init.Scheme.HE);
        float[] w = wide.parameters().get(0).toArray();
        double sq = 0;
        for (float v : w) {
            sq += v * v;
        }
        assertEquals(Math.sqrt(2.0 / 400), Math.sqrt(sq / w.length), 0.002, "He std");
        Linear xav = new Linear(400, 300, true, Init.Scheme.XAVIER);
        float max = 0;
        for (float v : xav.parameters().get(0).toArray()) {
            max = Math.max(max, Math.abs(v));
        }
        assertTrue(max <= Math.sqrt(6.0 / 700) && max > 0.95 * Math.sqrt(6.0 / 700), "Xavier bound " + max);
        assertNotNull(big);
    }

    @Test
    void channelMismatchNamesTheProblem() {
        SmallCnn m = new SmallCnn(3, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.forward(Tensor.randn(b, 1, 2, 1, 8, 8)));
        assertTrue(e.getMessage().contains("input has 1 channels") && e.getMessage().contains("expected 3"),
                e.getMessage());
    }
}
