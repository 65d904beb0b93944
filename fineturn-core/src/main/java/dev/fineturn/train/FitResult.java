package dev.fineturn.train;

import java.util.List;

/** The history of a fit and its best epoch by the monitored metric. */
public record FitResult(Strategy strategy, List<EpochRecord> history, int bestEpoch, ClassificationMetrics best,
                        boolean stoppedEarly, double seconds) {
    public EpochRecord last() {
        return history.get(history.size() - 1);
    }
}
