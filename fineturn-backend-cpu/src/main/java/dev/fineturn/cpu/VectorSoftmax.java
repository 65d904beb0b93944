package dev.fineturn.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Row softmax and log-softmax and their gradients; rows are split across the pool. */
final class VectorSoftmax {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int CHUNK = 1 << 14;

    private VectorSoftmax() {
    }

    /** Rows per task so that each task has about CHUNK elements. */
    static int rowsPerTask(int rows, int cols) {
        return Math.max(1, Math.min(rows, CHUNK / Math.max(cols, 1)));
    }

    static void softmax(int rows, int cols, boolean log, float[] x, float[] y) {
        int per = rowsPerTask(rows, cols);
        CpuPool.parallelFor((rows + per - 1) / per, t -> {
            for (int r = t * per; r < Math.min(rows, (t + 1) * per); r++) {
                int o = r * cols;
                float max = VectorSums.max(x, o, cols);
                double sum = expShiftedInto(x, o, cols, max, y, o);
                if (log) {
                    shift(x, o, cols, (float) (max + Math.log(sum)), y, o);
                } else {
                    scale(y, o, cols, (float) (1.0 / sum));
                }
            }
        });
    }

    static void softmaxBackward(int rows, int cols, boolean log, float[] y, float[] dy, float[] dx) {
        int per = rowsPerTask(rows, cols);
        CpuPool.parallelFor((rows + per - 1) / per, t -> {
            for (int r = t * per; r < Math.min(rows, (t + 1) * per); r++) {
                int o = r * cols;
                if (log) {
                    logSoftmaxGrad(y, dy, dx, o, cols, (float) VectorSums.sum(dy, o, cols));
                } else {
                    softmaxGrad(y, dy, dx, o, cols, (float) VectorSums.dot(dy, o, y, o, cols));
                }
            }
        });
    }

    /** out = exp(x - max) over one row; returns the row's sum (float lanes, double across blocks). */
    static double expShiftedInto(float[] x, int o, int n, float max, float[] out, int oo) {
        int bound = S.loopBound(n);
        double total = 0;
        int i = 0;
        while (i < bound) {
            int end = Math.min(bound, i + VectorSums.BLOCK * L);
            FloatVector acc = FloatVector.zero(S);
            for (; i < end; i += L) {
                FloatVector e = VectorMath.exp(FloatVector.fromArray(S, x, o + i).sub(max));
                e.intoArray(out, oo + i);
                acc = acc.add(e);
            }
            total += VectorMath.sumLanes(acc);
        }
        for (; i < n; i++) {
            float e = (float) Math.exp(x[o + i] - max);
            out[oo + i] = e;
            total += e;
        }
        return total;
    }

    /** out = x - c. */
    static void shift(float[] x, int o, int n, float c, float[] out, int oo) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, x, o + i).sub(c).intoArray(out, oo + i);
        }
        for (; i < n; i++) {
            out[oo + i] = x[o + i] - c;
        }
    }

    /** y *= c. */
    static void scale(float[] y, int o, int n, float c) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, y, o + i).mul(c).intoArray(y, o + i);
        }
        for (; i < n; i++) {
            y[o + i] *= c;
        }
    }

    /** dx = y * (dy - dot). */
    private static void softmaxGrad(float[] y, float[] dy, float[] dx, int o, int n, float dot) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, dy, o + i).sub(dot).mul(FloatVector.fromArray(S, y, o + i)).intoArray(dx, o + i);
        }
        for (; i < n; i++) {
            dx[o + i] = y[o + i] * (dy[o + i] - dot);
        }
    }

    /** dx = dy - exp(y) * sum. */
    private static void logSoftmaxGrad(float[] y, float[] dy, float[] dx, int o, int n, float sum) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(S, y, o + i));
            FloatVector.fromArray(S, dy, o + i).sub(e.mul(sum)).intoArray(dx, o + i);
        }
        for (; i < n; i++) {
            dx[o + i] = dy[o + i] - (float) Math.exp(y[o + i]) * sum;
        }
    }
}
