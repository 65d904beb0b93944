package dev.fineturn.optim.schedule;

import java.util.Map;

/**
 * Cuts the factor when the monitored metric stops improving, like PyTorch's
 * {@code ReduceLROnPlateau(mode='min'|'max', factor, patience, threshold, threshold_mode='rel', cooldown=0,
 * min_lr=minFactor * base_lr)}.
 *
 * <p>{@link #observe} is called once per epoch. A metric is an improvement when it is below
 * {@code best * (1 - threshold)} (or above {@code best * (1 + threshold)} when maximising); NaN never is. After
 * more than {@code patience} epochs without one, the factor becomes {@code max(factor * this.factor, minFactor)}
 * and the count restarts. As in PyTorch, a cut smaller than {@value #EPS} is skipped; here that is measured on the
 * factor (PyTorch measures it on the lr). {@link #factor(long)} returns the current factor whatever the step.
 *
 * <p>Mutable and not thread-safe; {@link #state()} and {@link #restore} carry everything needed to resume exactly.
 */
public final class ReduceOnPlateau implements LrSchedule {
    /** PyTorch's default {@code eps}: cuts smaller than this are not applied. */
    public static final double EPS = 1e-8;
    public static final String FACTOR = "factor";
    public static final String BEST = "best";
    public static final String BAD_EPOCHS = "badEpochs";

    private final double reduceBy;
    private final int patience;
    private final double threshold;
    private final double minFactor;
    private final boolean maximize;

    private double current = 1.0;
    private double best;
    private int badEpochs;

    public ReduceOnPlateau(double factor, int patience, double threshold, double minFactor, boolean maximize) {
        if (!(factor > 0 && factor < 1)) {
            throw new IllegalArgumentException("ReduceOnPlateau factor must be in (0, 1), got " + factor);
        }
        Checks.atLeast("ReduceOnPlateau patience", patience, 0);
        if (!(threshold >= 0 && threshold < 1)) {
            throw new IllegalArgumentException("ReduceOnPlateau threshold (relative) must be in [0, 1), got "
                    + threshold);
        }
        Checks.within("ReduceOnPlateau minFactor", minFactor, 0, 1);
        this.reduceBy = factor;
        this.patience = patience;
        this.threshold = threshold;
        this.minFactor = minFactor;
        this.maximize = maximize;
        this.best = worst();
    }

    private double worst() {
        return maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    @Override
    public double factor(long step) {
        Checks.step(step);
        return current;
    }

    @Override
    public void observe(double metric) {
        boolean better = maximize ? metric > best * (threshold + 1.0) : metric < best * (1.0 - threshold);
        if (better) {
            best = metric;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
        if (badEpochs > patience) {
            double next = Math.max(current * reduceBy, minFactor);
            if (current - next > EPS) {
                current = next;
            }
            badEpochs = 0;
        }
    }

    /** The best metric seen so far ({@code +/-Infinity} before the first). */
    public double best() {
        return best;
    }

    /** Epochs since the last improvement or cut. */
    public int badEpochs() {
        return badEpochs;
    }

    @Override
    public Map<String, Double> state() {
        return Map.of(FACTOR, current, BEST, best, BAD_EPOCHS, (double) badEpochs);
    }

    @Override
    public void restore(Map<String, Double> state) {
        double f = required(state, FACTOR);
        double b = required(state, BEST);
        double bad = required(state, BAD_EPOCHS);
        if (!(f > 0 && f <= 1)) {
            throw new IllegalArgumentException("ReduceOnPlateau state: factor must be in (0, 1], got " + f);
        }
        if (Double.isNaN(b)) {
            throw new IllegalArgumentException("ReduceOnPlateau state: best is NaN");
        }
        if (!(bad >= 0 && bad <= Integer.MAX_VALUE && bad == Math.rint(bad))) {
            throw new IllegalArgumentException("ReduceOnPlateau state: badEpochs must be a whole number >= 0, got "
                    + bad);
        }
        current = f;
        best = b;
        badEpochs = (int) bad;
    }

    private static double required(Map<String, Double> state, String key) {
        if (state == null) {
            throw new IllegalArgumentException("ReduceOnPlateau state is null");
        }
        Double v = state.get(key);
        if (v == null) {
            throw new IllegalArgumentException("ReduceOnPlateau state lacks '" + key + "' (has " + state.keySet()
                    + "; expected " + FACTOR + ", " + BEST + ", " + BAD_EPOCHS + ")");
        }
        return v;
    }

    @Override
    public String toString() {
        return "ReduceOnPlateau[factor=" + reduceBy + ", patience=" + patience + ", threshold=" + threshold
                + ", minFactor=" + minFactor + ", maximize=" + maximize + "; current=" + current + ", best=" + best
                + ", badEpochs=" + badEpochs + "]";
    }
}
