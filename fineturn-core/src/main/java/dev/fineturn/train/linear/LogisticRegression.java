package dev.fineturn.train.linear;

import java.util.Arrays;

/**
 * Multinomial (softmax) logistic regression with an L2 penalty on the weights but not the bias, at the
 * optimum of scikit-learn's {@code LogisticRegression(C, multi_class="multinomial", solver="lbfgs")}:
 * minimise C * sum of cross-entropies + ||W||^2 / 2. Rows are {@code float[]} row-major [n, features].
 */
public final class LogisticRegression {
    /** Weights [classes][features] row-major and biases [classes]. */
    public record Model(int classes, int features, double[] weight, double[] bias) {
        public Model {
            if (weight.length != classes * features || bias.length != classes) {
                throw new IllegalArgumentException("logistic regression: weight " + weight.length + " and bias "
                        + bias.length + " do not fit " + classes + " classes x " + features + " features");
            }
        }

        public static Model zeros(int classes, int features) {
            return new Model(classes, features, new double[classes * features], new double[classes]);
        }

        /** The class scores of the row starting at x[offset]. */
        public double[] logits(float[] x, int offset) {
            double[] z = new double[classes];
            for (int c = 0; c < classes; c++) {
                z[c] = bias[c] + SoftmaxLoss.dot(weight, c * features, x, offset, features);
            }
            return z;
        }

        /** The highest-scoring class of the row starting at x[offset], the lowest index on ties. */
        public int predict(float[] x, int offset) {
            double[] z = logits(x, offset);
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (z[c] > z[best]) {
                    best = c;
                }
            }
            return best;
        }
    }

    /** The fitted model, the objective at it (scaled by 1 / (C n)) and how the solver ended. */
    public record Fit(Model model, double objective, int iterations, boolean converged, Lbfgs.Result solver) {
    }

    private final double c;
    private final Lbfgs solver;
    private final int threads;

    public LogisticRegression(double c, Lbfgs solver, int threads) {
        if (!(c > 0) || c == Double.POSITIVE_INFINITY || threads < 1) {
            throw new IllegalArgumentException("logistic regression: C " + c + " must be positive and finite, threads "
                    + threads + " >= 1");
        }
        this.c = c;
        this.solver = solver;
        this.threads = threads;
    }

    /** One thread; the solver stops at a gradient max-norm of 1e-8 or after 10000 iterations. */
    public LogisticRegression(double c) {
        this(c, new Lbfgs(10, 1e-8, 0, 10_000), 1);
    }

    public double c() {
        return c;
    }

    public Fit fit(float[] x, int features, int[] labels, int classes) {
        return fit(x, features, labels, classes, null, null);
    }

    /**
     * Fits on the given rows (null: all rows), starting from {@code warmStart} (null: zeros). The gradient
     * of the bias sums to zero over the classes, so biases that start summing to zero (as zeros do) end so.
     */
    public Fit fit(float[] x, int features, int[] labels, int classes, int[] rows, Model warmStart) {
        checkData(x, features, labels, classes, rows);
        if (warmStart != null && (warmStart.classes() != classes || warmStart.features() != features)) {
            throw new IllegalArgumentException("logistic regression: warm start is " + warmStart.classes() + " x "
                    + warmStart.features() + ", the data " + classes + " x " + features);
        }
        int kd = classes * features;
        double[] p0 = new double[kd + classes];
        if (warmStart != null) {
            System.arraycopy(warmStart.weight(), 0, p0, 0, kd);
            System.arraycopy(warmStart.bias(), 0, p0, kd, classes);
        }
        try (SoftmaxLoss loss = new SoftmaxLoss(x, features, labels, rows, classes, c, threads)) {
            Lbfgs.Result r = solver.minimize(loss, p0);
            double[] p = r.x();
            Model m = new Model(classes, features, Arrays.copyOf(p, kd),
                    Arrays.copyOfRange(p, kd, kd + classes));
            return new Fit(m, r.value(), r.iterations(), r.converged(), r);
        }
    }

    /** Mean cross-entropy (no penalty) of the model on the given rows (null: all rows). */
    public static double crossEntropy(Model m, float[] x, int[] labels, int[] rows) {
        int n = rows == null ? labels.length : rows.length;
        double sum = 0;
        for (int r = 0; r < n; r++) {
            int row = rows == null ? r : rows[r];
            double[] z = m.logits(x, row * m.features());
            double max = Double.NEGATIVE_INFINITY;
            for (double v : z) {
                max = Math.max(max, v);
            }
            double s = 0;
            for (double v : z) {
                s += Math.exp(v - max);
            }
            sum += Math.log(s) + max - z[labels[row]];
        }
        return sum / n;
    }

    /** Fraction of the given rows (null: all rows) whose predicted class is the label. */
    public static double accuracy(Model m, float[] x, int[] labels, int[] rows) {
        int n = rows == null ? labels.length : rows.length;
        int correct = 0;
        for (int r = 0; r < n; r++) {
            int row = rows == null ? r : rows[r];
            if (m.predict(x, row * m.features()) == labels[row]) {
                correct++;
            }
        }
        return (double) correct / n;
    }

    static void checkData(float[] x, int features, int[] labels, int classes, int[] rows) {
        if (features < 1 || classes < 2 || x.length != (long) labels.length * features) {
            throw new IllegalArgumentException("logistic regression: " + x.length + " values are not "
                    + labels.length + " rows x " + features + " features, or classes " + classes + " < 2");
        }
        for (int label : labels) {
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException("logistic regression: label " + label + " outside [0, "
                        + classes + ")");
            }
        }
        if (rows != null) {
            if (rows.length == 0) {
                throw new IllegalArgumentException("logistic regression: no rows selected");
            }
            for (int row : rows) {
                if (row < 0 || row >= labels.length) {
                    throw new IllegalArgumentException("logistic regression: row " + row + " outside [0, "
                            + labels.length + ")");
                }
            }
        } else if (labels.length == 0) {
            throw new IllegalArgumentException("logistic regression: no rows");
        }
    }
}
