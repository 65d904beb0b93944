package dev.fineturn.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batch normalisation of [N, C] input (hw = 1): channels are contiguous, so vectors run across
 * channels and each sample is one row. Column sums accumulate in float for
 * {@link VectorSums#BLOCK} rows at a time, then in double.
 */
final class VectorBatchNormColumns {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorBatchNormColumns() {
    }

    static void statistics(int n, int c, float[] x, float[] mean, float[] var) {
        double[] sum = new double[c];
        float[] block = new float[c];
        for (int b = 0; b < n; b++) {
            addRow(block, x, b * c, c);
            flushEvery(b, n, block, sum);
        }
        float[] mu = new float[c];
        for (int ch = 0; ch < c; ch++) {
            mu[ch] = (float) (sum[ch] / n);
        }
        double[] sq = new double[c];
        for (int b = 0; b < n; b++) {
            addSquaredDeviations(block, x, b * c, mu, c);
            flushEvery(b, n, block, sq);
        }
        for (int ch = 0; ch < c; ch++) {
            double shift = sum[ch] / n - mu[ch];
            mean[ch] = mu[ch];
            var[ch] = (float) Math.max(0, sq[ch] / n - shift * shift);
        }
    }

    static void forward(int n, int c, float eps, float[] x, float[] mean, float[] var, float[] gamma, float[] beta,
                        float[] y) {
        float[] scale = new float[c];
        for (int ch = 0; ch < c; ch++) {
            scale[ch] = (float) (gamma[ch] / Math.sqrt((double) var[ch] + eps));
        }
        CpuPool.parallelFor(n, b -> {
            int o = b * c;
            int bound = S.loopBound(c);
            int i = 0;
            for (; i < bound; i += L) {
                FloatVector.fromArray(S, x, o + i).sub(FloatVector.fromArray(S, mean, i))
                        .fma(FloatVector.fromArray(S, scale, i), FloatVector.fromArray(S, beta, i))
                        .intoArray(y, o + i);
            }
            for (; i < c; i++) {
                y[o + i] = Math.fma(x[o + i] - mean[i], scale[i], beta[i]);
            }
        });
    }

    static void backward(int n, int c, float eps, boolean batchStatistics, float[] x, float[] dy, float[] mean,
                         float[] var, float[] gamma, float[] dx, float[] dgamma, float[] dbeta) {
        double[] sumDy = new double[c];
        double[] sumDyCentered = new double[c];
        float[] blockDy = new float[c];
        float[] blockCentered = new float[c];
        for (int b = 0; b < n; b++) {
            addRow(blockDy, dy, b * c, c);
            addWeightedDeviations(blockCentered, dy, x, b * c, mean, c);
            flushEvery(b, n, blockDy, sumDy);
            flushEvery(b, n, blockCentered, sumDyCentered);
        }
        float[] dyScale = new float[c];
        float[] offset = new float[c];
        float[] centeredScale = new float[c];
        for (int ch = 0; ch < c; ch++) {
            double invStd = 1.0 / Math.sqrt((double) var[ch] + eps);
            double sumDyXhat = sumDyCentered[ch] * invStd;
            dgamma[ch] = (float) sumDyXhat;
            dbeta[ch] = (float) sumDy[ch];
            double g = gamma[ch] * invStd;
            dyScale[ch] = (float) g;
            offset[ch] = batchStatistics ? (float) (g * sumDy[ch] / n) : 0f;
            centeredScale[ch] = batchStatistics ? (float) (g * invStd * sumDyXhat / n) : 0f;
        }
        CpuPool.parallelFor(n, b -> {
            int o = b * c;
            int bound = S.loopBound(c);
            int i = 0;
            for (; i < bound; i += L) {
                FloatVector centered = FloatVector.fromArray(S, x, o + i).sub(FloatVector.fromArray(S, mean, i));
                FloatVector.fromArray(S, dy, o + i).mul(FloatVector.fromArray(S, dyScale, i))
                        .sub(FloatVector.fromArray(S, offset, i))
                        .sub(centered.mul(FloatVector.fromArray(S, centeredScale, i)))
                        .intoArray(dx, o + i);
            }
            for (; i < c; i++) {
                dx[o + i] = dy[o + i] * dyScale[i] - offset[i] - (x[o + i] - mean[i]) * centeredScale[i];
            }
        });
    }

    /** After row b, moves the float block into the double sums every BLOCK rows and at the end. */
    private static void flushEvery(int b, int n, float[] block, double[] sum) {
        if ((b + 1) % VectorSums.BLOCK == 0 || b == n - 1) {
            for (int i = 0; i < block.length; i++) {
                sum[i] += block[i];
                block[i] = 0f;
            }
        }
    }

    private static void addRow(float[] acc, float[] x, int o, int c) {
        int bound = S.loopBound(c);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, acc, i).add(FloatVector.fromArray(S, x, o + i)).intoArray(acc, i);
        }
        for (; i < c; i++) {
            acc[i] += x[o + i];
        }
    }

    private static void addSquaredDeviations(float[] acc, float[] x, int o, float[] mean, int c) {
        int bound = S.loopBound(c);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector d = FloatVector.fromArray(S, x, o + i).sub(FloatVector.fromArray(S, mean, i));
            d.fma(d, FloatVector.fromArray(S, acc, i)).intoArray(acc, i);
        }
        for (; i < c; i++) {
            float d = x[o + i] - mean[i];
            acc[i] = Math.fma(d, d, acc[i]);
        }
    }

    private static void addWeightedDeviations(float[] acc, float[] w, float[] x, int o, float[] mean, int c) {
        int bound = S.loopBound(c);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector d = FloatVector.fromArray(S, x, o + i).sub(FloatVector.fromArray(S, mean, i));
            d.fma(FloatVector.fromArray(S, w, o + i), FloatVector.fromArray(S, acc, i)).intoArray(acc, i);
        }
        for (; i < c; i++) {
            acc[i] = Math.fma(x[o + i] - mean[i], w[o + i], acc[i]);
        }
    }
}
