package dev.fineturn.reference;

/** Batch normalisation over NCHW data viewed as [n, c, hw]. */
public final class NormKernels {
    private NormKernels() {
    }

    public static void statistics(int n, int c, int hw, float[] x, float[] mean, float[] var) {
        double count = (double) n * hw;
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int b = 0; b < n; b++) {
                int o = (b * c + ch) * hw;
                for (int i = 0; i < hw; i++) {
                    sum += x[o + i];
                }
            }
            double mu = sum / count;
            double sq = 0;
            for (int b = 0; b < n; b++) {
                int o = (b * c + ch) * hw;
                for (int i = 0; i < hw; i++) {
                    double d = x[o + i] - mu;
                    sq += d * d;
                }
            }
            mean[ch] = (float) mu;
            var[ch] = (float) (sq / count);
        }
    }

    public static void forward(int n, int c, int hw, float eps, float[] x, float[] mean, float[] var,
                               float[] gamma, float[] beta, float[] y) {
        for (int ch = 0; ch < c; ch++) {
            double invStd = 1.0 / Math.sqrt((double) var[ch] + eps);
            double scale = gamma[ch] * invStd;
            for (int b = 0; b < n; b++) {
                int o = (b * c + ch) * hw;
                for (int i = 0; i < hw; i++) {
                    y[o + i] = (float) ((x[o + i] - mean[ch]) * scale + beta[ch]);
                }
            }
        }
    }

    public static void backward(int n, int c, int hw, float eps, boolean batchStatistics, float[] x, float[] dy,
                                float[] mean, float[] var, float[] gamma, float[] dx, float[] dgamma,
                                float[] dbeta) {
        double count = (double) n * hw;
        for (int ch = 0; ch < c; ch++) {
            double invStd = 1.0 / Math.sqrt((double) var[ch] + eps);
            double sumDy = 0;
            double sumDyXhat = 0;
            for (int b = 0; b < n; b++) {
                int o = (b * c + ch) * hw;
                for (int i = 0; i < hw; i++) {
                    sumDy += dy[o + i];
                    sumDyXhat += dy[o + i] * (x[o + i] - mean[ch]) * invStd;
                }
            }
            dgamma[ch] = (float) sumDyXhat;
            dbeta[ch] = (float) sumDy;
            double g = gamma[ch] * invStd;
            for (int b = 0; b < n; b++) {
                int o = (b * c + ch) * hw;
                for (int i = 0; i < hw; i++) {
                    if (batchStatistics) {
                        double xhat = (x[o + i] - mean[ch]) * invStd;
                        dx[o + i] = (float) (g * (dy[o + i] - sumDy / count - xhat * sumDyXhat / count));
                    } else {
                        dx[o + i] = (float) (g * dy[o + i]);
                    }
                }
            }
        }
    }
}
