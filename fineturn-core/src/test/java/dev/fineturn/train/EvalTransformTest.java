package dev.fineturn.train;

import dev.fineturn.data.CenterCrop;
import dev.fineturn.data.Dataset;
import dev.fineturn.data.InMemoryDataset;
import dev.fineturn.data.Sample;
import dev.fineturn.data.Transform;
import dev.fineturn.nn.SmallCnn;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The evaluation transform reaches validation, feature extraction and training batches (when there
 * is no training transform): a fit with it equals, bit for bit, the same fit on the data mapped
 * through it beforehand, and differs from a fit without it.
 */
class EvalTransformTest {
    private static final InMemoryDataset TRAIN = SyntheticTasks.orientationAndPeriod(96, 2);
    private static final InMemoryDataset VAL = SyntheticTasks.orientationAndPeriod(48, 3);
    private static final Transform CROP = new CenterCrop(10, 10);

    private static TrainConfig config(Strategy s) {
        return TrainConfig.defaultsFor(s).withEpochs(2).withBatchSize(16).withSeed(3).with(b -> b.patience = 0);
    }

    private static Map<String, Tensor> fit(Strategy s, TrainConfig cfg, Dataset train, Dataset val) {
        SmallCnn m = PretrainedSmallCnn.model();
        FitResult r = new Trainer(cfg).fit(m, s, train, val);
        assertFalse(r.history().isEmpty());
        lastValidationLoss = r.last().validation().loss();
        return m.stateDict();
    }

    private static double lastValidationLoss;

    @Test
    void aFitWithTheEvalTransformEqualsAFitOnMappedData() {
        for (Strategy s : new Strategy[]{Strategy.FEATURES, Strategy.HEAD_ONLY}) {
            Map<String, Tensor> viaConfig = fit(s, config(s).withEvalTransform(CROP), TRAIN, VAL);
            double lossViaConfig = lastValidationLoss;
            Map<String, Tensor> viaMap = fit(s, config(s), TRAIN.map(CROP), VAL.map(CROP));
            assertEquals(lossViaConfig, lastValidationLoss, 0.0, s + ": validation loss");
            for (String k : viaMap.keySet()) {
                assertArrayEquals(viaMap.get(k).toArray(), viaConfig.get(k).toArray(), s + ": " + k);
            }
            Map<String, Tensor> without = fit(s, config(s), TRAIN, VAL);
            assertNotEquals(lossViaConfig, lastValidationLoss, s + ": the crop must change what the model sees");
        }
    }

    @Test
    void mapIsAViewThatReadsTheSameEveryTime() {
        Dataset mapped = VAL.map((Sample x, java.util.random.RandomGenerator r) -> {
            float[] p = x.pixels().clone();
            p[0] = (float) r.nextDouble();
            return new Sample(p, x.channels(), x.height(), x.width(), x.label());
        });
        assertEquals(VAL.size(), mapped.size());
        assertEquals(VAL.classNames(), mapped.classNames());
        assertEquals(mapped.get(5).pixels()[0], mapped.get(5).pixels()[0], 0f);
        assertNotEquals(mapped.get(5).pixels()[0], mapped.get(6).pixels()[0]);
        assertArrayEquals(new int[]{VAL.sampleShape()[0], 10, 10}, VAL.map(CROP).sampleShape());
    }
}
