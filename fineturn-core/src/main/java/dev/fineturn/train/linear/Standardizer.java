package dev.fineturn.train.linear;

/**
 * Per-feature mean and population standard deviation; a feature whose deviation is below 1e-12 gets 1, so
 * standardising only centres it.
 */
public record Standardizer(double[] mean, double[] std) {
    static final double MIN_STD = 1e-12;

    public Standardizer {
        if (mean.length != std.length) {
            throw new IllegalArgumentException("standardizer: " + mean.length + " means, " + std.length + " stds");
        }
    }

    /** From rows of {@code features} values, row-major. */
    public static Standardizer fit(float[] x, int features) {
        if (features < 1 || x.length == 0 || x.length % features != 0) {
            throw new IllegalArgumentException("standardizer: " + x.length + " values are not rows of " + features);
        }
        int n = x.length / features;
        double[] mean = new double[features];
        for (int r = 0; r < n; r++) {
            int off = r * features;
            for (int j = 0; j < features; j++) {
                mean[j] += x[off + j];
            }
        }
        for (int j = 0; j < features; j++) {
            mean[j] /= n;
        }
        double[] std = new double[features];
        for (int r = 0; r < n; r++) {
            int off = r * features;
            for (int j = 0; j < features; j++) {
                double dev = x[off + j] - mean[j];
                std[j] += dev * dev;
            }
        }
        for (int j = 0; j < features; j++) {
            double s = Math.sqrt(std[j] / n);
            std[j] = s < MIN_STD ? 1 : s;
        }
        return new Standardizer(mean, std);
    }

    public int features() {
        return mean.length;
    }

    /** (x - mean) / std for every row, as a new array. */
    public float[] apply(float[] x) {
        int d = mean.length;
        if (x.length % d != 0) {
            throw new IllegalArgumentException("standardizer: " + x.length + " values are not rows of " + d);
        }
        float[] out = new float[x.length];
        for (int off = 0; off < x.length; off += d) {
            for (int j = 0; j < d; j++) {
                out[off + j] = (float) ((x[off + j] - mean[j]) / std[j]);
            }
        }
        return out;
    }

    /**
     * The model on raw features equal to {@code m} on standardised ones: W' = W / std per column,
     * b' = b - W' . mean.
     */
    public LogisticRegression.Model fold(LogisticRegression.Model m) {
        int d = mean.length;
        if (m.features() != d) {
            throw new IllegalArgumentException("standardizer: " + d + " features, the model has " + m.features());
        }
        double[] w = new double[m.weight().length];
        double[] b = new double[m.classes()];
        for (int c = 0; c < m.classes(); c++) {
            double shift = 0;
            for (int j = 0; j < d; j++) {
                w[c * d + j] = m.weight()[c * d + j] / std[j];
                shift += w[c * d + j] * mean[j];
            }
            b[c] = m.bias()[c] - shift;
        }
        return new LogisticRegression.Model(m.classes(), d, w, b);
    }
}
