package dev.fineturn.train;

import java.util.List;

/**
 * The history of a fit and its best epoch by the monitored metric. {@code bestEpoch} is -1 when
 * no epoch improved on the model's starting point (or there was no validation), and
 * {@code notes} says in words what the recipe did beyond the epochs (e.g. how the head was
 * initialised, how batch norm was treated).
 */
public record FitResult(Strategy strategy, List<EpochRecord> history, int bestEpoch, ClassificationMetrics best,
                        boolean stoppedEarly, double seconds, List<String> notes) {
    public FitResult {
        history = List.copyOf(history);
        notes = List.copyOf(notes);
    }

    public FitResult(Strategy strategy, List<EpochRecord> history, int bestEpoch, ClassificationMetrics best,
                     boolean stoppedEarly, double seconds) {
        this(strategy, history, bestEpoch, best, stoppedEarly, seconds, List.of());
    }

    public EpochRecord last() {
        return history.get(history.size() - 1);
    }

    @Override
    public String toString() {
        return String.format("%s: %d epoch(s)%s, best %s, %.1fs%s", strategy, history.size(),
                stoppedEarly ? " (stopped early)" : "", best == null ? "n/a (no validation)"
                        : String.format("validation accuracy %.4f at epoch %d", best.top1(), bestEpoch + 1),
                seconds, notes.isEmpty() ? "" : "; " + String.join("; ", notes));
    }
}
