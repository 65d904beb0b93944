package dev.fineturn.cpu;

import dev.fineturn.spi.UnaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise unary functions. Each op has its own vector loop with a constant operator, inside
 * one method, so C2 intrinsifies it and keeps the vectors in registers.
 */
final class VectorElementwise {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int CHUNK = 1 << 15;

    private VectorElementwise() {
    }

    /** dst[dstOff, dstOff + n) += src[srcOff, srcOff + n). */
    static void addInto(float[] src, int srcOff, float[] dst, int dstOff, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(S, dst, dstOff + i).add(FloatVector.fromArray(S, src, srcOff + i))
                    .intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) {
            dst[dstOff + i] += src[srcOff + i];
        }
    }

    static void unary(UnaryOp op, float alpha, float beta, float[] x, float[] y, int n) {
        int chunks = (n + CHUNK - 1) / CHUNK;
        CpuPool.parallelFor(chunks, ch -> {
            int from = ch * CHUNK;
            unaryRange(op, alpha, beta, x, y, from, Math.min(n, from + CHUNK));
        });
    }

    private static void unaryRange(UnaryOp op, float alpha, float beta, float[] x, float[] y, int from, int to) {
        int i = from;
        int bound = from + S.loopBound(to - from);
        FloatVector zero = FloatVector.zero(S);
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector a = FloatVector.broadcast(S, alpha);
        FloatVector b = FloatVector.broadcast(S, beta);
        switch (op) {
            case RELU -> {
                for (; i < bound; i += L) {
                    FloatVector v = FloatVector.fromArray(S, x, i);
                    zero.blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, i);
                }
            }
            case CLIPPED_RELU -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, x, i).max(0f).min(alpha).intoArray(y, i);
                }
            }
            case LEAKY_RELU -> {
                for (; i < bound; i += L) {
                    FloatVector v = FloatVector.fromArray(S, x, i);
                    v.mul(a).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, i);
                }
            }
            case SIGMOID -> i = sigmoid(x, y, i, bound);
            case TANH -> i = tanh(x, y, i, bound);
            case HARD_SIGMOID -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, x, i).mul(a).add(b).max(0f).min(1f).intoArray(y, i);
                }
            }
            case HARD_SWISH -> {
                for (; i < bound; i += L) {
                    FloatVector v = FloatVector.fromArray(S, x, i);
                    v.mul(v.mul(a).add(b).max(0f).min(1f)).intoArray(y, i);
                }
            }
            case EXP -> i = exp(x, y, i, bound);
            case LOG -> i = log(x, y, i, bound);
            case SQRT -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, x, i).sqrt().intoArray(y, i);
                }
            }
            case AFFINE -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, x, i).mul(a).add(b).intoArray(y, i);
                }
            }
            case SQUARE -> {
                for (; i < bound; i += L) {
                    FloatVector v = FloatVector.fromArray(S, x, i);
                    v.mul(v).intoArray(y, i);
                }
            }
            case ABS -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, x, i).abs().intoArray(y, i);
                }
            }
            case RECIPROCAL -> {
                for (; i < bound; i += L) {
                    one.div(FloatVector.fromArray(S, x, i)).intoArray(y, i);
                }
            }
        }
        for (; i < to; i++) {
            y[i] = dev.fineturn.reference.ElementwiseKernels.unary(op, alpha, beta, x[i]);
        }
    }

    // exp, log and tanh in their own loops: inlined into unaryRange's switch they took C2 past its node
    // budget, and it called them out of line with boxed vectors (sigmoid 3x, tanh 4x slower).

    private static int sigmoid(float[] x, float[] y, int i, int bound) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (; i < bound; i += L) {
            one.div(VectorMath.exp(FloatVector.fromArray(S, x, i).neg()).add(one)).intoArray(y, i);
        }
        return i;
    }

    private static int tanh(float[] x, float[] y, int i, int bound) {
        for (; i < bound; i += L) {
            VectorMath.tanh(FloatVector.fromArray(S, x, i)).intoArray(y, i);
        }
        return i;
    }

    private static int exp(float[] x, float[] y, int i, int bound) {
        for (; i < bound; i += L) {
            VectorMath.exp(FloatVector.fromArray(S, x, i)).intoArray(y, i);
        }
        return i;
    }

    private static int log(float[] x, float[] y, int i, int bound) {
        for (; i < bound; i += L) {
            VectorMath.log(FloatVector.fromArray(S, x, i)).intoArray(y, i);
        }
        return i;
    }
}
