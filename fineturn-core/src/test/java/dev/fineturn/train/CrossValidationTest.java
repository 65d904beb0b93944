package dev.fineturn.train;

import dev.fineturn.nn.Init;
import dev.fineturn.nn.SmallCnn;
import dev.fineturn.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CrossValidationTest {
    @Test
    void featuresAreExtractedOnceForAllFolds() {
        Init.useBackend(ReferenceBackend.get());
        Init.seed(8);
        SmallCnn base = new SmallCnn(3, 4);
        var weights = base.stateDict();
        long before = FeatureCache.extractions();
        TrainConfig cfg = TrainConfig.defaultsFor(Strategy.FEATURES).withEpochs(2).withBatchSize(16);
        CrossValidation.Result r = CrossValidation.run(() -> {
            SmallCnn m = new SmallCnn(3, 4);
            m.loadStateDict(weights, true);
            return m;
        }, Strategy.FEATURES, SyntheticTasks.orientation(90, 5), 3, cfg);
        assertEquals(3, r.folds().size());
        assertEquals(1, FeatureCache.extractions() - before, "every fold must reuse one feature extraction");
        double mean = r.scores().stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertEquals(mean, r.mean(), 1e-12);
        assertTrue(r.std() >= 0);
        for (FitResult f : r.folds()) {
            assertEquals(30, f.best() == null ? f.last().validation().samples() : f.best().samples(),
                    "each fold validates on a third of the data");
        }
    }
}
