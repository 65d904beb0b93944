package dev.fineturn.spark;

import dev.fineturn.train.ClassificationMetrics;

/**
 * The local {@code Trainer}'s rule for the best epoch and early stopping: an epoch is better when
 * its monitored validation metric is (higher for accuracy, top5 and f1, lower for loss) than the
 * best so far, or, for a metric where higher is better, equal with a lower validation loss (small
 * validation sets tie often); training stops after {@code patience} epochs in a row that are not
 * better (0: never).
 */
final class EarlyStopping {
    private final String monitor;
    private final boolean higher;
    private final int patience;
    private double best;
    private ClassificationMetrics bestMetrics;
    private int bestEpoch = -1;
    private int badEpochs;

    EarlyStopping(String monitor, int patience) {
        this.monitor = monitor;
        this.higher = ClassificationMetrics.higherIsBetter(monitor);
        this.patience = patience;
        this.best = higher ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    /**
     * Records epoch {@code epoch}'s validation; true when it is the best so far. Epoch -1 is the
     * start, observed first when it is a candidate (the local trainer's probe-initialised start).
     */
    boolean observe(int epoch, ClassificationMetrics val) {
        double m = val.get(monitor);
        boolean improved = higher ? m > best || m == best && bestMetrics != null && val.loss() < bestMetrics.loss()
                : m < best;
        if (improved) {
            best = m;
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
