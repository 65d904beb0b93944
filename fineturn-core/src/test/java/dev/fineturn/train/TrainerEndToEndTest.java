package dev.fineturn.train;

import dev.fineturn.data.InMemoryDataset;
import dev.fineturn.nn.SmallCnn;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pretrains a small CNN on task A, then fine-tunes it on task B with every strategy (on the
 * reference backend).
 */
class TrainerEndToEndTest {
    private static Map<String, Tensor> pretrained;
    private static double pretrainAccuracy;
    private static final InMemoryDataset TASK_B_TRAIN = SyntheticTasks.orientationAndPeriod(240, 2);
    private static final InMemoryDataset TASK_B_TEST = SyntheticTasks.orientationAndPeriod(120, 3);

    @BeforeAll
    static void pretrainOnTaskA() {
        pretrained = PretrainedSmallCnn.weights();
        pretrainAccuracy = PretrainedSmallCnn.accuracy();
    }

    private static SmallCnn pretrainedModel() {
        return PretrainedSmallCnn.model();
    }

    private static TrainConfig finetune(Strategy s) {
        return TrainConfig.defaultsFor(s).withEpochs(5).withBatchSize(16).withSeed(9)
                .withOptimizer(TrainConfig.OptimizerKind.ADAMW, 1e-2, 0.1).withValidationFraction(0.25)
                .withEarlyStopping("accuracy", 0, true);
    }

    /** The epoch-based head of earlier releases: SGD epochs on features, a random head to start from. */
    private static TrainConfig sgdHead(Strategy s) {
        return finetune(s).withHead(TrainConfig.HeadSolver.SGD, 0).with(b -> b.probeInitHead = false);
    }

    private static double testAccuracy(SmallCnn m) {
        return Evaluation.evaluate(m, TASK_B_TEST, 32, ReferenceBackend.get(), null, 8).top1();
    }

    @Test
    void pretrainingLearnsTaskA() {
        assertTrue(pretrainAccuracy > 0.6, "pretraining reached only " + pretrainAccuracy);
    }

    @Test
    void sgdFeaturesMatchHeadOnlyAndNeverTouchTheBackboneAfterExtraction() {
        SmallCnn head = pretrainedModel();
        FitResult headOnly = new Trainer(sgdHead(Strategy.HEAD_ONLY)).fit(head, Strategy.HEAD_ONLY, TASK_B_TRAIN,
                null);
        FeatureCache.clearMemory();
        long before = FeatureCache.extractions();
        SmallCnn feat = pretrainedModel();
        FitResult features = new Trainer(sgdHead(Strategy.FEATURES)).fit(feat, Strategy.FEATURES, TASK_B_TRAIN,
                null);
        assertEquals(1, FeatureCache.extractions() - before, "one backbone pass over the data, split included");
        for (EpochRecord e : features.history()) {
            assertFalse(e.touchedBackbone(), "epoch " + e.epoch() + " ran the backbone");
        }
        assertEquals(headOnly.history().size(), features.history().size());
        for (int i = 0; i < headOnly.history().size(); i++) {
            assertEquals(headOnly.history().get(i).validation().top1(), features.history().get(i).validation().top1(),
                    "validation accuracy of epoch " + i);
        }
        assertArrayEquals(head.head().parameters().get(0).toArray(), feat.head().parameters().get(0).toArray(),
                "the two strategies must train the same head");
        assertEquals(testAccuracy(head), testAccuracy(feat));
        // A second run with the same backbone and data is served from the cache.
        new Trainer(sgdHead(Strategy.FEATURES)).fit(pretrainedModel(), Strategy.FEATURES, TASK_B_TRAIN, null);
        assertEquals(1, FeatureCache.extractions() - before);
    }

    @Test
    void featureCacheOnDiskServesALaterRun(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        TrainConfig cfg = finetune(Strategy.FEATURES).withFeatureCacheDir(dir).withSeed(13);
        FeatureCache.clearMemory();
        long before = FeatureCache.extractions();
        FitResult first = new Trainer(cfg).fit(pretrainedModel(), Strategy.FEATURES, TASK_B_TRAIN, null);
        assertEquals(1, FeatureCache.extractions() - before);
        try (var files = java.nio.file.Files.list(dir)) {
            assertEquals(1, files.filter(f -> f.getFileName().toString().startsWith("features-")).count());
        }
        FeatureCache.clearMemory();
        FitResult second = new Trainer(cfg).fit(pretrainedModel(), Strategy.FEATURES, TASK_B_TRAIN, null);
        assertEquals(1, FeatureCache.extractions() - before, "the second run must read the features from disk");
        assertEquals(first.last().validation().top1(), second.last().validation().top1());
    }

    @Test
    void everyStrategyLearnsTaskBAndKeepsFrozenWeights() {
        Map<Strategy, Double> accuracy = new LinkedHashMap<>();
        for (Strategy s : new Strategy[]{Strategy.SCRATCH, Strategy.HEAD_ONLY, Strategy.partial(2), Strategy.FULL}) {
            SmallCnn m = pretrainedModel();
            FitResult r = new Trainer(finetune(s)).fit(m, s, TASK_B_TRAIN, null);
            assertEquals(5, r.history().size());
            accuracy.put(s, testAccuracy(m));
            Map<String, Tensor> state = m.stateDict();
            for (String k : pretrained.keySet()) {
                boolean frozen = switch (s.kind()) {
                    case HEAD_ONLY -> !k.startsWith("fc");
                    case PARTIAL -> k.startsWith("stem") || k.startsWith("block1");
                    default -> false;
                };
                if (frozen) {
                    assertArrayEquals(pretrained.get(k).toArray(), state.get(k).toArray(), s + ": " + k + " changed");
                }
            }
        }
        System.out.println("task B test accuracy by strategy (pretrain on A: " + pretrainAccuracy + "): " + accuracy);
        for (var e : accuracy.entrySet()) {
            assertTrue(e.getValue() > 1.0 / 8 + 0.2, e.getKey() + " test accuracy " + e.getValue()
                    + " is not clearly above chance; all: " + accuracy);
        }
    }
}
