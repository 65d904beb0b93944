package dev.fineturn.cpu;

import dev.fineturn.reference.ElementwiseKernels;
import dev.fineturn.spi.UnaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * dx = dy * f'(x). Each derivative is evaluated with the same float operations as the reference
 * (no fused multiply-adds), so results are bit-identical to it.
 */
final class VectorUnaryBackward {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int CHUNK = 1 << 15;

    private VectorUnaryBackward() {
    }

    static void unaryBackward(UnaryOp op, float alpha, float beta, float[] x, float[] y, float[] dy, float[] dx,
                              int n) {
        int chunks = (n + CHUNK - 1) / CHUNK;
        CpuPool.parallelFor(chunks, ch -> {
            int from = ch * CHUNK;
            range(op, alpha, beta, x, y, dy, dx, from, Math.min(n, from + CHUNK));
        });
    }

    private static void range(UnaryOp op, float alpha, float beta, float[] x, float[] y, float[] dy, float[] dx,
                              int from, int to) {
        int i = from;
        int bound = from + S.loopBound(to - from);
        FloatVector zero = FloatVector.zero(S);
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector a = FloatVector.broadcast(S, alpha);
        switch (op) {
            case RELU -> {
                for (; i < bound; i += L) {
                    VectorMask<Float> on = FloatVector.fromArray(S, x, i).compare(VectorOperators.GT, 0f);
                    FloatVector.fromArray(S, dy, i).mul(zero.blend(one, on)).intoArray(dx, i);
                }
            }
            case CLIPPED_RELU -> {
                for (; i < bound; i += L) {
                    FloatVector v = FloatVector.fromArray(S, x, i);
                    VectorMask<Float> on = v.compare(VectorOperators.GT, 0f).and(v.compare(VectorOperators.LT, alpha));
                    FloatVector.fromArray(S, dy, i).mul(zero.blend(one, on)).intoArray(dx, i);
                }
            }
            case LEAKY_RELU -> {
                for (; i < bound; i += L) {
                    VectorMask<Float> on = FloatVector.fromArray(S, x, i).compare(VectorOperators.GT, 0f);
                    FloatVector.fromArray(S, dy, i).mul(a.blend(one, on)).intoArray(dx, i);
                }
            }
            case SIGMOID -> {
                for (; i < bound; i += L) {
                    FloatVector v = FloatVector.fromArray(S, y, i);
                    FloatVector.fromArray(S, dy, i).mul(v.mul(one.sub(v))).intoArray(dx, i);
                }
            }
            case TANH -> {
                for (; i < bound; i += L) {
                    FloatVector v = FloatVector.fromArray(S, y, i);
                    FloatVector.fromArray(S, dy, i).mul(one.sub(v.mul(v))).intoArray(dx, i);
                }
            }
            case HARD_SIGMOID -> {
                for (; i < bound; i += L) {
                    FloatVector t = FloatVector.fromArray(S, x, i).mul(alpha).add(beta);
                    VectorMask<Float> on = t.compare(VectorOperators.GT, 0f).and(t.compare(VectorOperators.LT, 1f));
                    FloatVector.fromArray(S, dy, i).mul(zero.blend(a, on)).intoArray(dx, i);
                }
            }
            case HARD_SWISH -> {
                for (; i < bound; i += L) {
                    FloatVector v = FloatVector.fromArray(S, x, i);
                    FloatVector ax = v.mul(alpha);
                    FloatVector t = ax.add(beta);
                    FloatVector d = t.add(ax)
                            .blend(one, t.compare(VectorOperators.GE, 1f))
                            .blend(zero, t.compare(VectorOperators.LE, 0f));
                    FloatVector.fromArray(S, dy, i).mul(d).intoArray(dx, i);
                }
            }
            case EXP -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, dy, i).mul(FloatVector.fromArray(S, y, i)).intoArray(dx, i);
                }
            }
            case LOG -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, dy, i).mul(one.div(FloatVector.fromArray(S, x, i))).intoArray(dx, i);
                }
            }
            case SQRT -> {
                FloatVector half = FloatVector.broadcast(S, 0.5f);
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, dy, i).mul(half.div(FloatVector.fromArray(S, y, i))).intoArray(dx, i);
                }
            }
            case AFFINE -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, dy, i).mul(a).intoArray(dx, i);
                }
            }
            case SQUARE -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, dy, i).mul(FloatVector.fromArray(S, x, i).mul(2f)).intoArray(dx, i);
                }
            }
            case ABS -> {
                for (; i < bound; i += L) {
                    FloatVector v = FloatVector.fromArray(S, x, i);
                    FloatVector sign = zero.blend(one, v.compare(VectorOperators.GT, 0f))
                            .blend(one.neg(), v.compare(VectorOperators.LT, 0f));
                    FloatVector.fromArray(S, dy, i).mul(sign).intoArray(dx, i);
                }
            }
            case RECIPROCAL -> {
                for (; i < bound; i += L) {
                    FloatVector v = FloatVector.fromArray(S, y, i);
                    FloatVector.fromArray(S, dy, i).mul(v.neg().mul(v)).intoArray(dx, i);
                }
            }
        }
        for (; i < to; i++) {
            dx[i] = dy[i] * ElementwiseKernels.derivative(op, alpha, beta, x[i], y[i]);
        }
    }
}
