package dev.fineturn.cli.report;

import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.inference.TTest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Statistics over cross-validation folds: the mean score, its sample standard deviation and the
 * 95% confidence interval of the mean from Student's t with k - 1 degrees of freedom, and a
 * ranking in which a configuration is "indistinguishable from the best" when a paired t-test over
 * the same folds cannot tell them apart at the 5% level.
 */
public final class FoldStatistics {
    /** The level below which a paired difference counts as real. */
    public static final double ALPHA = 0.05;

    private FoldStatistics() {
    }

    /** Mean, sample standard deviation and the 95% confidence interval of the mean of k scores. */
    public record Summary(int n, double mean, double std, double ciLow, double ciHigh) {
        /** Half the width of the confidence interval. */
        public double halfWidth() {
            return (ciHigh - ciLow) / 2;
        }
    }

    /**
     * One configuration in a ranking.
     *
     * @param rank              1 for the highest mean
     * @param pVsBest           the paired t-test's two-sided p-value against the best; 1 for the best itself
     * @param indistinguishable whether {@code pVsBest >= 0.05} (always true for the best)
     */
    public record Ranked(String name, double[] scores, Summary summary, int rank, double pVsBest, boolean best,
                         boolean indistinguishable) {
    }

    public static Summary summarize(double[] scores) {
        int n = scores.length;
        if (n == 0) {
            throw new IllegalArgumentException("fold statistics: no scores");
        }
        double mean = 0;
        for (double s : scores) {
            mean += s;
        }
        mean /= n;
        if (n == 1) {
            return new Summary(1, mean, Double.NaN, Double.NaN, Double.NaN);
        }
        double ss = 0;
        for (double s : scores) {
            ss += (s - mean) * (s - mean);
        }
        double std = Math.sqrt(ss / (n - 1));
        double half = tQuantile(0.975, n - 1) * std / Math.sqrt(n);
        return new Summary(n, mean, std, mean - half, mean + half);
    }

    /** The {@code p} quantile of Student's t distribution with {@code df} degrees of freedom. */
    public static double tQuantile(double p, int df) {
        return new TDistribution(null, df).inverseCumulativeProbability(p);
    }

    /**
     * The two-sided p-value of a paired t-test of {@code a} against {@code b} (the same folds in the
     * same order). Identical vectors give 1; a constant non-zero difference gives 0.
     */
    public static double pairedPValue(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("paired t-test: " + a.length + " scores against " + b.length
                    + "; both need the same folds");
        }
        if (a.length < 2) {
            throw new IllegalArgumentException("paired t-test: needs at least 2 folds, got " + a.length);
        }
        boolean allZero = true;
        boolean constant = true;
        double first = a[0] - b[0];
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            allZero &= d == 0;
            constant &= d == first;
        }
        if (allZero) {
            return 1;
        }
        if (constant) {
            return 0;
        }
        return new TTest().pairedTTest(a, b);
    }

    /**
     * Sorts configurations by mean score, highest first (ties keep the given order), and tests each
     * against the best over the same folds.
     */
    public static List<Ranked> rank(Map<String, double[]> scores) {
        List<Map.Entry<String, double[]>> entries = new ArrayList<>(new LinkedHashMap<>(scores).entrySet());
        if (entries.isEmpty()) {
            return List.of();
        }
        Map<String, Summary> summaries = new LinkedHashMap<>();
        entries.forEach(e -> summaries.put(e.getKey(), summarize(e.getValue())));
        entries.sort(Comparator.comparingDouble((Map.Entry<String, double[]> e) -> summaries.get(e.getKey()).mean())
                .reversed());
        double[] best = entries.get(0).getValue();
        List<Ranked> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            var e = entries.get(i);
            double p = i == 0 ? 1 : best.length < 2 ? Double.NaN : pairedPValue(e.getValue(), best);
            out.add(new Ranked(e.getKey(), e.getValue().clone(), summaries.get(e.getKey()), i + 1, p, i == 0,
                    i == 0 || p >= ALPHA));
        }
        return out;
    }
}
