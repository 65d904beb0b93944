package dev.fineturn.models.arch;

import dev.fineturn.nn.BatchNorm2d;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.FusedInference;
import dev.fineturn.nn.Init;
import dev.fineturn.nn.Layer;
import dev.fineturn.ops.Losses;
import dev.fineturn.optim.ParamGroup;
import dev.fineturn.optim.Sgd;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frozen parts and no-grad eval passes run as fused inference (batch norm folded into the
 * convolution, bias, residual and activation in its epilogue, planned buffers): the same results
 * as the ordinary layers, on ResNet basic and bottleneck blocks and MobileNetV2 inverted residuals;
 * refolded when weights change; and no change to what trainable layers compute or their gradients.
 */
class FusedInferenceTest {
    private static final double TOLERANCE = 2e-5;
    /** Gradients through batch norms on batch statistics amplify the forward's rounding differences. */
    private static final double GRADIENT_TOLERANCE = 2e-4;
    private final Backend b = ReferenceBackend.get();
    private boolean before;

    @BeforeEach
    void setUp() {
        Init.useBackend(b);
        Init.seed(5);
        before = FusedInference.setEnabled(true);
    }

    @AfterEach
    void restore() {
        FusedInference.setEnabled(before);
    }

    private static Map<String, Supplier<Classifier>> models() {
        Map<String, Supplier<Classifier>> m = new LinkedHashMap<>();
        m.put("resnet basic", () -> new ResNet(ResNet.Block.BASIC, new int[]{2, 1, 1, 1}, 8, 10));
        m.put("resnet bottleneck", () -> new ResNet(ResNet.Block.BOTTLENECK, new int[]{1, 2, 1, 1}, 4, 10));
        m.put("mobilenetv2", () -> new MobileNetV2(10, 0.25));
        return m;
    }

    /** Batch norms with statistics and affine parameters far from the identity, so folding matters. */
    private void randomizeNorms(Layer model, long seed) {
        long s = seed;
        for (Layer m : model.namedModules().values()) {
            if (m instanceof BatchNorm2d bn) {
                int c = bn.weight().numel();
                bn.weight().copyFrom(Tensor.uniform(b, s++, 0.5f, 1.5f, c));
                bn.bias().copyFrom(Tensor.uniform(b, s++, -0.5f, 0.5f, c));
                bn.runningMean().copyFrom(Tensor.uniform(b, s++, -0.3f, 0.3f, c));
                bn.runningVar().copyFrom(Tensor.uniform(b, s++, 0.5f, 2f, c));
            }
        }
    }

    private Tensor inferUnfused(Classifier model, Tensor x) {
        boolean was = FusedInference.setEnabled(false);
        try (var g = GradMode.noGrad()) {
            return model.forward(x);
        } finally {
            FusedInference.setEnabled(was);
        }
    }

    private static Tensor infer(Classifier model, Tensor x) {
        try (var g = GradMode.noGrad()) {
            return model.forward(x);
        }
    }

    private static void assertClose(String what, Tensor expected, Tensor actual) {
        assertClose(what, expected, actual, TOLERANCE);
    }

    private static void assertClose(String what, Tensor expected, Tensor actual, double tolerance) {
        double err = ArchFixtures.relativeError(expected, actual);
        assertTrue(err <= tolerance, what + ": relative error " + err);
    }

    @Test
    void evalInferenceMatchesTheUnfusedLayersAndFoldsOncePerLayer() {
        models().forEach((name, make) -> {
            Classifier model = make.get();
            randomizeNorms(model, 100);
            model.eval();
            Tensor x = Tensor.uniform(b, 7, 0f, 1f, 3, 3, 32, 32);
            Tensor want = inferUnfused(model, x);
            long folds = FusedInference.folds();
            Tensor got = infer(model, x);
            long convs = model.namedModules().values().stream().filter(m -> m instanceof dev.fineturn.nn.Conv2d)
                    .count();
            assertEquals(convs, FusedInference.folds() - folds, name + ": every convolution folds once");
            assertClose(name, want, got);
            // A second batch reuses the folded weights and the planned buffers, and leaves the first output alone.
            float[] first = got.toArray();
            Tensor x2 = Tensor.uniform(b, 8, 0f, 1f, 3, 3, 32, 32);
            Tensor got2 = infer(model, x2);
            assertEquals(convs, FusedInference.folds() - folds, name + ": nothing refolds for unchanged weights");
            assertArrayEquals(first, got.toArray(), name + ": the first batch's output was overwritten");
            assertClose(name + " second batch", inferUnfused(model, x2), got2);
            // A smaller last batch gets buffers of its own size.
            Tensor x3 = Tensor.uniform(b, 9, 0f, 1f, 1, 3, 32, 32);
            assertClose(name + " smaller batch", inferUnfused(model, x3), infer(model, x3));
        });
    }

    @Test
    void featuresOfAFrozenBackboneMatchAndAreNotOverwritten() {
        Classifier model = models().get("mobilenetv2").get();
        randomizeNorms(model, 200);
        model.freeze();
        model.train(true);
        Tensor x = Tensor.uniform(b, 3, 0f, 1f, 2, 3, 32, 32);
        Tensor f1 = model.features(x);
        float[] kept = f1.toArray();
        Tensor f2 = model.features(Tensor.uniform(b, 4, 0f, 1f, 2, 3, 32, 32));
        assertArrayEquals(kept, f1.toArray());
        boolean was = FusedInference.setEnabled(false);
        try {
            assertClose("features", model.features(x), Tensor.of(b, kept, f1.shape()));
        } finally {
            FusedInference.setEnabled(was);
        }
        assertEquals(f1.numel(), f2.numel());
    }

    /** A training step's loss, every gradient and every updated running statistic. */
    private Map<String, float[]> trainingStep(Classifier model, Tensor x, int[] labels) {
        Map<String, float[]> out = new LinkedHashMap<>();
        Tensor loss = Losses.crossEntropy(model.forward(x), labels, 0f);
        loss.backward();
        out.put("loss", new float[]{loss.item()});
        model.namedParameters().forEach((k, t) -> out.put("grad " + k, t.grad().toArray()));
        model.namedBuffers().forEach((k, t) -> out.put(k, t.toArray()));
        return out;
    }

    @Test
    void trainingRunsNormShortcutAndReluAsOneOpWithTheUnfusedBits() {
        for (String name : models().keySet()) {
            Init.seed(77); // the same weights and dropout seeds
            Classifier fused = models().get(name).get();
            randomizeNorms(fused, 400);
            Init.seed(77);
            Classifier unfused = models().get(name).get();
            randomizeNorms(unfused, 400);
            fused.train(true);
            unfused.train(true);
            Tensor x = Tensor.uniform(b, 12, -1f, 1f, 3, 3, 32, 32);
            int[] labels = {2, 4, 9};
            boolean was = FusedInference.setEnabled(false);
            Map<String, float[]> want;
            long unfusedNodes;
            try {
                long before = dev.fineturn.tensor.Autograd.recordedNodes();
                want = trainingStep(unfused, x, labels);
                unfusedNodes = dev.fineturn.tensor.Autograd.recordedNodes() - before;
            } finally {
                FusedInference.setEnabled(was);
            }
            long before = dev.fineturn.tensor.Autograd.recordedNodes();
            Map<String, float[]> got = trainingStep(fused, x, labels);
            long fusedNodes = dev.fineturn.tensor.Autograd.recordedNodes() - before;
            assertEquals(want.keySet(), got.keySet());
            want.forEach((k, v) -> assertArrayEquals(v, got.get(k), name + ": " + k));
            assertTrue(fusedNodes < unfusedNodes, name + ": " + fusedNodes + " graph nodes against " + unfusedNodes);
        }
    }

    @Test
    void aFrozenPrefixLeavesTheTrainableLayersLossAndGradientsUnchanged() {
        for (String name : List.of("resnet basic", "resnet bottleneck")) {
            Classifier model = models().get(name).get();
            randomizeNorms(model, 300);
            model.freezeFirst(6); // conv1, bn1, relu, maxpool, layer1, layer2
            model.train(true);
            Tensor x = Tensor.uniform(b, 11, 0f, 1f, 4, 3, 32, 32);
            int[] labels = {1, 3, 5, 7};
            boolean was = FusedInference.setEnabled(false);
            Map<String, float[]> wantGrads = new LinkedHashMap<>();
            float wantLoss;
            try {
                Tensor loss = Losses.crossEntropy(model.forward(x), labels, 0f);
                loss.backward();
                wantLoss = loss.item();
                model.namedParameters().forEach((k, t) -> {
                    if (t.requiresGrad()) {
                        wantGrads.put(k, t.grad().toArray());
                    }
                });
                model.zeroGrad();
            } finally {
                FusedInference.setEnabled(was);
            }
            long folds = FusedInference.folds();
            Tensor loss = Losses.crossEntropy(model.forward(x), labels, 0f);
            loss.backward();
            assertTrue(FusedInference.folds() > folds, name + ": the frozen prefix ran fused");
            assertEquals(wantLoss, loss.item(), 1e-5 * Math.abs(wantLoss), name + " loss");
            model.namedParameters().forEach((k, t) -> {
                if (t.requiresGrad()) {
                    assertClose(name + " gradient of " + k, Tensor.of(b, wantGrads.get(k), t.shape()), t.grad(),
                            GRADIENT_TOLERANCE);
                }
            });
        }
    }

    @Test
    void weightsThatChangeAreFoldedAgain() {
        Classifier model = models().get("resnet basic").get();
        randomizeNorms(model, 400);
        model.freezeFirst(6);
        model.train(true);
        Tensor x = Tensor.uniform(b, 12, 0f, 1f, 4, 3, 32, 32);
        int[] labels = {0, 2, 4, 6};
        Sgd sgd = new Sgd(List.of(new ParamGroup("all", model.trainableParameters(), 0.5, 0)), 0.9, 0, false);
        model.eval();
        Tensor before = infer(model, x);
        // An optimiser step changes the trainable layers, which eval then folds again.
        model.train(true);
        Tensor loss = Losses.crossEntropy(model.forward(x), labels, 0f);
        loss.backward();
        sgd.step();
        sgd.zeroGrad();
        model.eval();
        Tensor afterStep = infer(model, x);
        assertTrue(ArchFixtures.relativeError(before, afterStep) > 1e-3, "the step changed the logits");
        assertClose("after an optimiser step", inferUnfused(model, x), afterStep);
        // Loading other weights into the frozen prefix, and unfreezing it.
        Map<String, Tensor> other = new LinkedHashMap<>();
        model.stateDict().forEach((k, t) -> other.put(k, k.startsWith("layer1.0.conv1")
                ? Tensor.uniform(b, 13, -0.2f, 0.2f, t.shape()) : t.copy()));
        model.loadStateDict(other, true);
        Tensor afterLoad = infer(model, x);
        assertTrue(ArchFixtures.relativeError(afterStep, afterLoad) > 1e-3, "the load changed the logits");
        assertClose("after loading", inferUnfused(model, x), afterLoad);
        model.unfreeze();
        assertClose("after unfreezing", inferUnfused(model, x), infer(model, x));
        // Training mode with batch statistics does not fuse, so the running statistics still update.
        model.train(true);
        BatchNorm2d bn = (BatchNorm2d) model.module("bn1");
        float[] mean = bn.runningMean().toArray();
        try (var g = GradMode.noGrad()) {
            model.forward(x);
        }
        assertTrue(!java.util.Arrays.equals(mean, bn.runningMean().toArray()), "running mean updated");
        model.eval();
        assertClose("after a statistics update", inferUnfused(model, x), infer(model, x));
    }
}
