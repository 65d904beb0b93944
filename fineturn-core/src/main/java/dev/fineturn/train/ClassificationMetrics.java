package dev.fineturn.train;

import java.util.Arrays;

/**
 * Loss, top-1 and top-5 accuracy, per-class precision/recall/F1 and the confusion matrix
 * ({@code confusion[true][predicted]}) of one evaluation.
 */
public record ClassificationMetrics(double loss, double top1, double top5, long[][] confusion,
                                    double[] precision, double[] recall, double[] f1, long samples) {

    public double macroF1() {
        return Arrays.stream(f1).average().orElse(0);
    }

    /** A metric by name: loss, accuracy/top1, top5, f1. */
    public double get(String metric) {
        return switch (metric) {
            case "loss" -> loss;
            case "accuracy", "top1" -> top1;
            case "top5" -> top5;
            case "f1" -> macroF1();
            default -> throw new IllegalArgumentException("unknown metric '" + metric
                    + "'; known: loss, accuracy, top1, top5, f1");
        };
    }

    /** Whether a larger value of the metric is better. */
    public static boolean higherIsBetter(String metric) {
        return !metric.equals("loss");
    }

    /**
     * Whether validation scores {@code candidate} beat the best so far ({@code best}, the monitored value of
     * {@code bestMetrics}; null before any) by {@code monitor}. Accuracy on a small validation set ties often, so for a
     * metric where higher is better a tie with a lower loss counts as better.
     */
    public static boolean improves(String monitor, ClassificationMetrics candidate, double best,
                                   ClassificationMetrics bestMetrics) {
        double m = candidate.get(monitor);
        return higherIsBetter(monitor)
                ? m > best || m == best && bestMetrics != null && candidate.loss() < bestMetrics.loss()
                : m < best;
    }

    /** Accumulates predictions batch by batch. */
    public static final class Accumulator {
        private final int classes;
        private final long[][] confusion;
        private double lossSum;
        private long top5Hits;
        private long samples;

        public Accumulator(int classes) {
            this.classes = classes;
            this.confusion = new long[classes][classes];
        }

        /** Adds a batch of row-major [n, classes] logits (or probabilities) with the batch's mean loss. */
        public void add(float[] logits, int[] labels, double meanLoss) {
            int n = labels.length;
            if (logits.length != n * classes) {
                throw new IllegalArgumentException("metrics: " + logits.length + " scores for " + n + " labels and "
                        + classes + " classes");
            }
            for (int i = 0; i < n; i++) {
                int label = labels[i];
                if (label < 0 || label >= classes) {
                    throw new IllegalArgumentException("metrics: label " + label + " outside [0, " + classes + ")");
                }
                int o = i * classes;
                int best = 0;
                int above = 0;
                for (int c = 0; c < classes; c++) {
                    if (logits[o + c] > logits[o + best]) {
                        best = c;
                    }
                    if (logits[o + c] > logits[o + label]) {
                        above++;
                    }
                }
                confusion[label][best]++;
                if (above < 5) {
                    top5Hits++;
                }
            }
            lossSum += meanLoss * n;
            samples += n;
        }

        public ClassificationMetrics result() {
            double[] p = new double[classes];
            double[] r = new double[classes];
            double[] f = new double[classes];
            long correct = 0;
            for (int c = 0; c < classes; c++) {
                long tp = confusion[c][c];
                long predicted = 0;
                long actual = 0;
                for (int k = 0; k < classes; k++) {
                    predicted += confusion[k][c];
                    actual += confusion[c][k];
                }
                p[c] = predicted == 0 ? 0 : (double) tp / predicted;
                r[c] = actual == 0 ? 0 : (double) tp / actual;
                f[c] = p[c] + r[c] == 0 ? 0 : 2 * p[c] * r[c] / (p[c] + r[c]);
                correct += tp;
            }
            long[][] copy = new long[classes][];
            for (int c = 0; c < classes; c++) {
                copy[c] = confusion[c].clone();
            }
            double s = Math.max(1, samples);
            return new ClassificationMetrics(lossSum / s, correct / s, top5Hits / s, copy, p, r, f, samples);
        }
    }
}
