package dev.fineturn.train.linear;

/**
 * Per-feature mean and population standard deviation; a feature whose deviation is below 1e-12 gets 1, so
 * standardising only centres it, and no deviation counts as less than {@value #RELATIVE_FLOOR} of the
 * largest one. Without that floor a nearly constant feature would be scaled up a million-fold, and
 * once the standardisation is folded into a head its weight would turn the smallest change of that
 * feature (fine-tuning the layers below) into enormous scores.
 */
public record Standardizer(double[] mean, double[] std) {
    static final double MIN_STD = 1e-12;
    static final double RELATIVE_FLOOR = 1e-3;

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
            std[j] = Math.sqrt(std[j] / n);
        }
        return fromMoments(mean, std);
    }

    /**
     * From per-feature means and population standard deviations computed elsewhere (a cluster's
     * aggregation), with the same floors as {@link #fit}.
     */
    public static Standardizer fromMoments(double[] mean, double[] populationStd) {
        double[] std = populationStd.clone();
        double largest = 0;
        for (double s : std) {
            largest = Math.max(largest, s);
        }
        double floor = RELATIVE_FLOOR * largest;
        for (int j = 0; j < std.length; j++) {
            std[j] = std[j] < MIN_STD ? 1 : Math.max(std[j], floor);
        }
        return new Standardizer(mean.clone(), std);
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
