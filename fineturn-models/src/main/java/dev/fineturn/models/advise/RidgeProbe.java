package dev.fineturn.models.advise;

/**
 * A linear probe: a ridge-regression classifier on standardised features, solved in the dual
 * (n x n) form with a Cholesky factorisation, so a few hundred samples with a thousand features
 * take milliseconds. Accuracy on held-out rows measures how linearly separable the features are.
 */
final class RidgeProbe {
    private RidgeProbe() {
    }

    /** Trains on rows [0, nTrain) and returns the accuracy on rows [nTrain, n). */
    static double heldOutAccuracy(double[][] x, int[] labels, int classes, int nTrain, double lambda) {
        int n = x.length;
        int d = x[0].length;
        double[] mean = new double[d];
        double[] std = new double[d];
        for (int i = 0; i < nTrain; i++) {
            for (int j = 0; j < d; j++) {
                mean[j] += x[i][j] / nTrain;
            }
        }
        for (int i = 0; i < nTrain; i++) {
            for (int j = 0; j < d; j++) {
                double v = x[i][j] - mean[j];
                std[j] += v * v / nTrain;
            }
        }
        double[][] z = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                z[i][j] = (x[i][j] - mean[j]) / Math.sqrt(std[j] + 1e-8);
            }
        }
        double[][] k = new double[nTrain][nTrain];
        for (int i = 0; i < nTrain; i++) {
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int f = 0; f < d; f++) {
                    s += z[i][f] * z[j][f];
                }
                k[i][j] = s;
                k[j][i] = s;
            }
            k[i][i] += lambda * d;
        }
        double[][] alpha = new double[classes][];
        double[][] l = cholesky(k);
        for (int c = 0; c < classes; c++) {
            double[] y = new double[nTrain];
            for (int i = 0; i < nTrain; i++) {
                y[i] = labels[i] == c ? 1 : -1.0 / (classes - 1);
            }
            alpha[c] = solve(l, y);
        }
        int correct = 0;
        for (int t = nTrain; t < n; t++) {
            double[] kt = new double[nTrain];
            for (int i = 0; i < nTrain; i++) {
                double s = 0;
                for (int f = 0; f < d; f++) {
                    s += z[t][f] * z[i][f];
                }
                kt[i] = s;
            }
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                double s = 0;
                for (int i = 0; i < nTrain; i++) {
                    s += kt[i] * alpha[c][i];
                }
                if (s > bestScore) {
                    bestScore = s;
                    best = c;
                }
            }
            correct += best == labels[t] ? 1 : 0;
        }
        return (double) correct / (n - nTrain);
    }

    private static double[][] cholesky(double[][] a) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i][j];
                for (int k = 0; k < j; k++) {
                    s -= l[i][k] * l[j][k];
                }
                if (i == j) {
                    if (s <= 0) {
                        throw new ArithmeticException("probe: the kernel matrix is not positive definite");
                    }
                    l[i][i] = Math.sqrt(s);
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        }
        return l;
    }

    private static double[] solve(double[][] l, double[] b) {
        int n = b.length;
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) {
                s -= l[i][k] * y[k];
            }
            y[i] = s / l[i][i];
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = y[i];
            for (int k = i + 1; k < n; k++) {
                s -= l[k][i] * x[k];
            }
            x[i] = s / l[i][i];
        }
        return x;
    }
}
