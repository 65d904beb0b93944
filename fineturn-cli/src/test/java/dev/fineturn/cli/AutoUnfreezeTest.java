package dev.fineturn.cli;

import dev.fineturn.train.ClassificationMetrics;
import dev.fineturn.train.EpochRecord;
import dev.fineturn.train.FitResult;
import dev.fineturn.train.Strategy;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AutoUnfreezeTest {
    private static ClassificationMetrics validation() {
        ClassificationMetrics.Accumulator acc = new ClassificationMetrics.Accumulator(2);
        acc.add(new float[] {2, 1, 0, 3}, new int[] {0, 1}, 0.4);
        return acc.result();
    }

    private static FitResult fit(Strategy s, int bestEpoch, boolean withValidation) {
        ClassificationMetrics v = withValidation ? validation() : null;
        List<EpochRecord> history = List.of(new EpochRecord(0, 0.5, 0.8, v, 1e-4, 1, true),
                new EpochRecord(1, 0.4, 0.9, v, 1e-4, 1, true));
        return new FitResult(s, history, bestEpoch, v, true, 2);
    }

    @Test
    void aPartialFitThatKeptItsStartUnfreezesEverything() {
        assertTrue(FinetuneCommand.unfreezeAll(Strategy.partial(5), fit(Strategy.partial(5), -1, true)));
        assertTrue(FinetuneCommand.unfreezeAll(Strategy.freezeUpTo("layer2"),
                fit(Strategy.freezeUpTo("layer2"), -1, true)));
    }

    @Test
    void aPartialFitThatImprovedOrHadNoValidationStaysAsItIs() {
        assertFalse(FinetuneCommand.unfreezeAll(Strategy.partial(5), fit(Strategy.partial(5), 1, true)));
        assertFalse(FinetuneCommand.unfreezeAll(Strategy.partial(5), fit(Strategy.partial(5), -1, false)));
    }

    @Test
    void otherStrategiesAreNeverEscalated() {
        for (Strategy s : List.of(Strategy.HEAD_ONLY, Strategy.FULL, Strategy.FEATURES)) {
            assertFalse(FinetuneCommand.unfreezeAll(s, fit(s, -1, true)), s.toString());
        }
    }
}
