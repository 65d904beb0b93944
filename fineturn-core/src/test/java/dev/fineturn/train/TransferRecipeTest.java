package dev.fineturn.train;

import dev.fineturn.data.InMemoryDataset;
import dev.fineturn.nn.BatchNorm2d;
import dev.fineturn.nn.SmallCnn;
import dev.fineturn.optim.ParamGroup;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.tensor.Tensor;
import dev.fineturn.train.linear.LinearProbe;
import dev.fineturn.train.linear.LinearProbeResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The transfer recipe: convex features head, probe-initialised fine-tuning, batch norm, layer-wise rates. */
class TransferRecipeTest {
    private static final InMemoryDataset TRAIN = SyntheticTasks.orientationAndPeriod(240, 2);
    private static final InMemoryDataset TEST = SyntheticTasks.orientationAndPeriod(120, 3);
    private static Map<String, Tensor> pretrained;

    @BeforeAll
    static void pretrain() {
        pretrained = PretrainedSmallCnn.weights();
    }

    private static SmallCnn pretrainedModel() {
        return PretrainedSmallCnn.model();
    }

    private static TrainConfig cfg(Strategy s) {
        return TrainConfig.defaultsFor(s).withEpochs(3).withBatchSize(16).withSeed(9).withValidationFraction(0.25);
    }

    private static double testAccuracy(SmallCnn m) {
        return Evaluation.evaluate(m, TEST, 32, ReferenceBackend.get(), null, 8).top1();
    }

    @Test
    void convexFeaturesHeadIsTheFoldedProbeOnAllTrainingData() {
        SmallCnn m = pretrainedModel();
        FitResult r = new Trainer(cfg(Strategy.FEATURES)).fit(m, Strategy.FEATURES, TRAIN, null);
        assertEquals(1, r.history().size(), "the convex head is one fit, not epochs");
        assertFalse(r.history().get(0).touchedBackbone());

        InMemoryDataset f = FeatureCache.features(pretrainedModel(), TRAIN, 32, null, null, new TrainingListener() {
        });
        assertEquals(TRAIN.size(), f.size(), "the convex fit uses every training row, no split held out");
        float[] x = new float[f.size() * 16];
        int[] y = new int[f.size()];
        for (int i = 0; i < f.size(); i++) {
            System.arraycopy(f.get(i).pixels(), 0, x, i * 16, 16);
            y[i] = f.label(i);
        }
        LinearProbeResult direct = new LinearProbe().withFolds(5).withSeed(9)
                .withThreads(Runtime.getRuntime().availableProcessors()).fit(x, 16, y, 8);
        assertArrayEquals(direct.weight(), m.head().namedParameters().get("weight").toArray(), 0f);
        assertArrayEquals(direct.bias(), m.head().namedParameters().get("bias").toArray(), 0f);

        ClassificationMetrics oof = r.best();
        assertNotNull(oof, "validation comes from the out-of-fold predictions");
        assertEquals(direct.chosenCvAccuracy(), oof.top1(), 0.02);
        assertEquals(direct.trainAccuracy(), r.history().get(0).trainAccuracy(), 1e-6);

        SmallCnn sgd = pretrainedModel();
        new Trainer(cfg(Strategy.FEATURES).withHead(TrainConfig.HeadSolver.SGD, 0).withEpochs(5))
                .fit(sgd, Strategy.FEATURES, TRAIN, null);
        assertTrue(testAccuracy(m) >= testAccuracy(sgd) - 0.02, "convex " + testAccuracy(m) + " vs SGD epochs "
                + testAccuracy(sgd));
    }

    @Test
    void fineTuningStartsFromTheProbeAndNeverEndsBelowIt() {
        SmallCnn m = pretrainedModel();
        TrainConfig frozenLr = cfg(Strategy.FULL).withOptimizer(TrainConfig.OptimizerKind.SGD, 1e-12, 0.1);
        FitResult r = new Trainer(frozenLr).fit(m, Strategy.FULL, TRAIN, null);
        assertEquals(-1, r.bestEpoch(), "no epoch can beat the start at a learning rate of 1e-12");
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("convex fit")), r.notes().toString());
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("keeps that start")), r.notes().toString());

        // The backbone did not move, so the final head, refitted on all training rows, is the features strategy's.
        SmallCnn features = pretrainedModel();
        new Trainer(frozenLr).fit(features, Strategy.FEATURES, TRAIN, null);
        assertArrayEquals(features.head().namedParameters().get("weight").toArray(),
                m.head().namedParameters().get("weight").toArray(), 0f);
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("refitted on the pretrained features of all 240")),
                r.notes().toString());
        assertTrue(testAccuracy(m) > 0.5, "the probe-initialised head classifies: " + testAccuracy(m));
    }

    @Test
    void pretrainedBatchNormKeepsItsStatisticsUnlessAskedOtherwise() {
        for (boolean frozen : new boolean[]{true, false}) {
            SmallCnn m = pretrainedModel();
            // Without the probe start the best weights come from an epoch, so they show what training did.
            TrainConfig c = cfg(Strategy.FULL).withEpochs(2).with(b -> {
                b.frozenBatchNorm = frozen;
                b.probeInitHead = false;
            });
            FitResult r = new Trainer(c).fit(m, Strategy.FULL, TRAIN, null);
            float[] mean = m.stateDict().get("stem.1.running_mean").toArray();
            float[] gamma = m.stateDict().get("stem.1.weight").toArray();
            if (frozen) {
                assertArrayEquals(pretrained.get("stem.1.running_mean").toArray(), mean, 0f);
                assertTrue(r.notes().stream().anyMatch(n -> n.contains("running statistics")), r.notes().toString());
            } else {
                assertFalse(java.util.Arrays.equals(pretrained.get("stem.1.running_mean").toArray(), mean),
                        "batch statistics must update the running mean");
            }
            assertTrue(r.bestEpoch() >= 0);
            assertFalse(java.util.Arrays.equals(pretrained.get("stem.1.weight").toArray(), gamma),
                    "the scale of batch norm trains in both modes");
        }
    }

    @Test
    void scratchGetsPytorchMomentumWhereTheSourceHadKeras() {
        SmallCnn m = pretrainedModel();
        for (var mod : m.namedModules().values()) {
            if (mod instanceof BatchNorm2d bn) {
                bn.setMomentum(0.001f);
            }
        }
        List<String> notes = TransferSetup.apply(m, Strategy.SCRATCH, 8, TrainConfig.defaultsFor(Strategy.SCRATCH));
        for (var mod : m.namedModules().values()) {
            if (mod instanceof BatchNorm2d bn) {
                assertEquals(0.1f, bn.momentum());
                assertFalse(bn.usesRunningStatistics());
            }
        }
        assertTrue(notes.stream().anyMatch(n -> n.contains("0.001") && n.contains("0.1")), notes.toString());
    }

    @Test
    void backboneBlocksLearnAtGeometricallyDecayingRates() {
        SmallCnn m = pretrainedModel();
        TrainConfig c = cfg(Strategy.FULL);
        TransferSetup.apply(m, Strategy.FULL, 8, c);
        List<ParamGroup> groups = TransferSetup.groups(m, c);
        assertEquals(List.of("backbone:stem", "backbone:block1", "backbone:block2", "head"),
                groups.stream().map(ParamGroup::name).toList());
        double top = c.lr() * c.backboneLrFactor();
        assertEquals(top * 0.1, groups.get(0).lr(), 1e-15);
        assertEquals(top * Math.sqrt(0.1), groups.get(1).lr(), 1e-15);
        assertEquals(top, groups.get(2).lr(), 1e-15);
        assertEquals(c.lr(), groups.get(3).lr(), 1e-15);
        assertTrue(top <= 1e-4, "pretrained layers learn at most at 1e-4, got " + top);
    }

    @Test
    void lrRangeTestFindsWhereTheLossTurnsAndRestoresTheBackbone() {
        SmallCnn m = pretrainedModel();
        TrainConfig c = cfg(Strategy.HEAD_ONLY).with(b -> b.probeInitHead = false);
        LrFinder.Result r = LrFinder.find(m, Strategy.HEAD_ONLY, TRAIN, c, 1e-6, 10, 80);
        assertTrue(r.lrs().size() >= 10 && r.lrs().size() <= 80, r.toString());
        for (int i = 1; i < r.lrs().size(); i++) {
            assertEquals(r.lrs().get(i - 1) * Math.pow(1e7, 1.0 / 79), r.lrs().get(i), r.lrs().get(i) * 1e-9);
        }
        assertEquals(r.minLossLr() / 10, r.suggestion(), 0.0);
        double first = r.smoothedLoss().getFirst();
        double min = r.smoothedLoss().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        assertTrue(min < first * 0.8, "the loss must fall somewhere in the range: " + r.smoothedLoss());
        assertTrue(r.minLossLr() > 1e-4 && r.minLossLr() < 10, r.toString());
        for (String k : pretrained.keySet()) {
            if (!k.startsWith("fc")) {
                assertArrayEquals(pretrained.get(k).toArray(), m.stateDict().get(k).toArray(), 0f, k);
            }
        }
    }

    @Test
    void afterEpochsThatHelpedTheHeadIsRefittedOnAllRowsWithTheStartsStrength() {
        SmallCnn m = pretrainedModel();
        TrainConfig c = cfg(Strategy.FULL).withEpochs(8).withOptimizer(TrainConfig.OptimizerKind.ADAMW, 1e-2, 1.0);
        FitResult r = new Trainer(c).fit(m, Strategy.FULL, TRAIN, null);
        assertTrue(r.bestEpoch() >= 0, "an epoch at these rates beats the start: " + r);
        String start = r.notes().stream().filter(n -> n.startsWith("head initialised")).findFirst().orElseThrow();
        String refit = r.notes().stream().filter(n -> n.startsWith("head refitted")).findFirst().orElseThrow();
        assertTrue(refit.contains("fine-tuned features of all 240") && refit.contains("kept from the start"), refit);
        String chosenC = start.substring(start.indexOf("C = "), start.indexOf(" chosen"));
        assertTrue(refit.contains(chosenC + " kept"), start + " / " + refit);

        InMemoryDataset f = FeatureCache.features(m, TRAIN, 32, null, null, new TrainingListener() {
        });
        float[] w = m.head().namedParameters().get("weight").toArray();
        ConvexHead.Fitted again = ConvexHead.fit(f, 8, c, Double.parseDouble(chosenC.substring(4)));
        assertArrayEquals(again.probe().weight(), w, 1e-3f * maxAbs(w));
    }

    private static float maxAbs(float[] v) {
        float m = 0;
        for (float x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    @Test
    void anMlpHeadTrainsOnTheCachedFeatures() {
        SmallCnn m = pretrainedModel();
        TrainConfig c = cfg(Strategy.FEATURES).withEpochs(8).withHead(TrainConfig.HeadSolver.SGD, 24)
                .withOptimizer(TrainConfig.OptimizerKind.ADAMW, 1e-2, 0.1);
        FitResult r = new Trainer(c).fit(m, Strategy.FEATURES, TRAIN, null);
        assertTrue(m.headBlock() instanceof dev.fineturn.nn.MlpHead mlp && mlp.hidden() == 24
                && mlp.inFeatures() == 16, String.valueOf(m.headBlock()));
        assertEquals(8, m.head().outFeatures());
        assertEquals(16, m.featureSize());
        for (EpochRecord e : r.history()) {
            assertFalse(e.touchedBackbone());
        }
        for (String k : pretrained.keySet()) {
            if (!k.startsWith("fc")) {
                assertArrayEquals(pretrained.get(k).toArray(), m.stateDict().get(k).toArray(), 0f, k);
            }
        }
        assertTrue(m.stateDict().containsKey("fc.0.weight") && m.stateDict().containsKey("fc.2.weight"),
                m.stateDict().keySet().toString());
        assertTrue(testAccuracy(m) > 0.5, "the MLP head classifies: " + testAccuracy(m));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> cfg(Strategy.FEATURES).withHead(TrainConfig.HeadSolver.LBFGS, 24));
        assertTrue(e.getMessage().contains("SGD"), e.getMessage());
    }
}
