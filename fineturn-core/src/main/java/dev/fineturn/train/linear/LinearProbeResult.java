package dev.fineturn.train.linear;

import java.util.Locale;
import java.util.Map;

/**
 * A fitted {@link LinearProbe} on raw features: scores = weight . x + bias with {@code weight} laid out
 * [classes][features] row-major, as a fully connected layer's [out, in] weight. {@code mean} and
 * {@code std} are the standardisation already folded in. {@code cvAccuracy} maps each C tried, ascending,
 * to its mean held-out accuracy over {@code folds} folds of every repeat (empty, with folds 0, when there was no
 * cross-validation). Iterations, convergence, accuracy and mean cross-entropy are those of the final fit
 * on all training rows. {@code outOfFoldLogits} ([rows][classes] row-major) are the scores each training row
 * got from the chosen C's model of the first repeat's fold that held it out (null without cross-validation): an
 * honest validation estimate that costs no held-out data.
 */
public record LinearProbeResult(int classes, int features, float[] weight, float[] bias, double[] mean,
                                double[] std, double c, Map<Double, Double> cvAccuracy, int folds, int iterations,
                                boolean converged, double trainAccuracy, double trainLoss,
                                float[] outOfFoldLogits) {

    /** Mean cross-entropy of the out-of-fold scores; NaN without cross-validation. */
    public double outOfFoldLoss(int[] labels) {
        if (outOfFoldLogits == null) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < labels.length; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) {
                max = Math.max(max, outOfFoldLogits[i * classes + k]);
            }
            double e = 0;
            for (int k = 0; k < classes; k++) {
                e += Math.exp(outOfFoldLogits[i * classes + k] - max);
            }
            sum += max + Math.log(e) - outOfFoldLogits[i * classes + labels[i]];
        }
        return sum / labels.length;
    }

    /** Mean held-out accuracy of the chosen C; NaN without cross-validation. */
    public double chosenCvAccuracy() {
        return cvAccuracy.getOrDefault(c, Double.NaN);
    }

    /** Class scores of the raw row starting at x[offset]. */
    public double[] logits(float[] x, int offset) {
        double[] z = new double[classes];
        for (int k = 0; k < classes; k++) {
            double s = bias[k];
            int w = k * features;
            for (int j = 0; j < features; j++) {
                s += (double) weight[w + j] * x[offset + j];
            }
            z[k] = s;
        }
        return z;
    }

    /** The highest-scoring class of the raw row starting at x[offset], the lowest index on ties. */
    public int predict(float[] x, int offset) {
        double[] z = logits(x, offset);
        int best = 0;
        for (int k = 1; k < classes; k++) {
            if (z[k] > z[best]) {
                best = k;
            }
        }
        return best;
    }

    /** Predictions for every row of x ([n, features] row-major). */
    public int[] predict(float[] x) {
        int[] out = new int[x.length / features];
        for (int r = 0; r < out.length; r++) {
            out[r] = predict(x, r * features);
        }
        return out;
    }

    /** Fraction of rows of x whose prediction is the label. */
    public double accuracy(float[] x, int[] labels) {
        int[] p = predict(x);
        int correct = 0;
        for (int r = 0; r < p.length; r++) {
            if (p[r] == labels[r]) {
                correct++;
            }
        }
        return (double) correct / p.length;
    }

    @Override
    public String toString() {
        String cv = folds == 0 ? "no cross-validation (default C)"
                : String.format(Locale.ROOT, "cv accuracy %.4f over %d folds", chosenCvAccuracy(), folds);
        return String.format(Locale.ROOT, "LinearProbe[C=%.3g, %s, train accuracy %.4f, loss %.4f, %d iterations%s]",
                c, cv, trainAccuracy, trainLoss, iterations, converged ? "" : " (not converged)");
    }
}
