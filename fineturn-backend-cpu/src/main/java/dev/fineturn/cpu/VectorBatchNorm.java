package dev.fineturn.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batch normalisation over [n, c, hw]. With spatial data the vectors run along each channel's
 * planes and channels are split across the pool; with hw = 1 ([N, C] input) the vectors run across
 * channels instead. Per-channel constants are formed in double as in the reference.
 */
final class VectorBatchNorm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorBatchNorm() {
    }

    static void statistics(int n, int c, int hw, float[] x, float[] mean, float[] var) {
        if (hw == 1) {
            VectorBatchNormColumns.statistics(n, c, x, mean, var);
            return;
        }
        double count = (double) n * hw;
        CpuPool.parallelFor(c, ch -> {
            double sum = 0;
            for (int b = 0; b < n; b++) {
                sum += VectorSums.sum(x, (b * c + ch) * hw, hw);
            }
            double mu = sum / count;
            float muf = (float) mu;
            double sq = 0;
            for (int b = 0; b < n; b++) {
                sq += VectorSums.sumSquaredDeviations(x, (b * c + ch) * hw, hw, muf);
            }
            // Deviations were taken from the rounded mean: sum (x - m)^2 = sum (x - mu)^2 + count (mu - m)^2.
            double shift = mu - muf;
            mean[ch] = muf;
            var[ch] = (float) Math.max(0, sq / count - shift * shift);
        });
    }

    static void forward(int n, int c, int hw, float eps, float[] x, float[] mean, float[] var, float[] gamma,
                        float[] beta, float[] y) {
        if (hw == 1) {
            VectorBatchNormColumns.forward(n, c, eps, x, mean, var, gamma, beta, y);
            return;
        }
        float[] scale = new float[c];
        for (int ch = 0; ch < c; ch++) {
            scale[ch] = (float) (gamma[ch] / Math.sqrt((double) var[ch] + eps));
        }
        CpuPool.parallelFor(n * c, plane -> {
            int ch = plane % c;
            normalize(x, y, plane * hw, hw, mean[ch], scale[ch], beta[ch]);
        });
    }

    /** y = (x - mean) * scale + shift over one run. */
    static void normalize(float[] x, float[] y, int off, int n, float mean, float scale, float shift) {
        FloatVector m = FloatVector.broadcast(S, mean);
        FloatVector s = FloatVector.broadcast(S, scale);
        FloatVector t = FloatVector.broadcast(S, shift);
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, x, off + i).sub(m).fma(s, t).intoArray(y, off + i);
        }
        for (; i < n; i++) {
            y[off + i] = Math.fma(x[off + i] - mean, scale, shift);
        }
    }

    static void backward(int n, int c, int hw, float eps, boolean batchStatistics, float[] x, float[] dy,
                         float[] mean, float[] var, float[] gamma, float[] dx, float[] dgamma, float[] dbeta) {
        if (hw == 1) {
            VectorBatchNormColumns.backward(n, c, eps, batchStatistics, x, dy, mean, var, gamma, dx, dgamma, dbeta);
            return;
        }
        double count = (double) n * hw;
        CpuPool.parallelFor(c, ch -> {
            double invStd = 1.0 / Math.sqrt((double) var[ch] + eps);
            double sumDy = 0;
            double sumDyCentered = 0;
            for (int b = 0; b < n; b++) {
                int o = (b * c + ch) * hw;
                sumDy += VectorSums.sum(dy, o, hw);
                sumDyCentered += VectorSums.sumWeightedDeviations(dy, x, o, hw, mean[ch]);
            }
            double sumDyXhat = sumDyCentered * invStd;
            dgamma[ch] = (float) sumDyXhat;
            dbeta[ch] = (float) sumDy;
            double g = gamma[ch] * invStd;
            float dyScale = (float) g;
            float offset = batchStatistics ? (float) (g * sumDy / count) : 0f;
            float centeredScale = batchStatistics ? (float) (g * invStd * sumDyXhat / count) : 0f;
            for (int b = 0; b < n; b++) {
                inputGradient(x, dy, dx, (b * c + ch) * hw, hw, mean[ch], dyScale, offset, centeredScale);
            }
        });
    }

    /** dx = dy * dyScale - offset - (x - mean) * centeredScale over one run. */
    static void inputGradient(float[] x, float[] dy, float[] dx, int off, int n, float mean, float dyScale,
                              float offset, float centeredScale) {
        FloatVector m = FloatVector.broadcast(S, mean);
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector centered = FloatVector.fromArray(S, x, off + i).sub(m);
            FloatVector.fromArray(S, dy, off + i).mul(dyScale).sub(offset).sub(centered.mul(centeredScale))
                    .intoArray(dx, off + i);
        }
        for (; i < n; i++) {
            dx[off + i] = dy[off + i] * dyScale - offset - (x[off + i] - mean) * centeredScale;
        }
    }
}
