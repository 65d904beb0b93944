package dev.fineturn.spark;

import dev.fineturn.train.ClassificationMetrics;

/**
 * The local {@code Trainer}'s best epoch and early stopping on the driver: an epoch is better by
 * {@link ClassificationMetrics#improves}, the rule the local trainer applies; training stops after
 * {@code patience} epochs in a row that are not better (0: never).
 */
final class EarlyStopping {
    private final String monitor;
    private final int patience;
    private double best;
    private ClassificationMetrics bestMetrics;
    private int bestEpoch = -1;
    private int badEpochs;

    EarlyStopping(String monitor, int patience) {
        this.monitor = monitor;
        this.patience = patience;
        this.best = ClassificationMetrics.higherIsBetter(monitor) ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    /**
     * Records epoch {@code epoch}'s validation; true when it is the best so far. Epoch -1 is the
     * start, observed first when it is a candidate (the local trainer's probe-initialised start).
     */
    boolean observe(int epoch, ClassificationMetrics val) {
        boolean improved = ClassificationMetrics.improves(monitor, val, best, bestMetrics);
        if (improved) {
            best = val.get(monitor);
            bestMetrics = val;
            bestEpoch = epoch;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
        return improved;
    }

    boolean shouldStop() {
        return patience > 0 && badEpochs >= patience;
    }

    /** The best epoch (0-based), -1 before any or when the start is the best. */
    int bestEpoch() {
        return bestEpoch;
    }

    /** The best epoch's validation, null before any. */
    ClassificationMetrics best() {
        return bestMetrics;
    }
}
