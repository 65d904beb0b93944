package dev.fineturn.cpu;

import dev.fineturn.reference.ElementwiseKernels;
import dev.fineturn.spi.BinaryOp;
import dev.fineturn.spi.UnaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Vectorised elementwise kernels; each op's loop lives in one method so C2 keeps vectors in registers. */
final class VectorElementwise {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int CHUNK = 1 << 15;

    private VectorElementwise() {
    }

    static void unary(UnaryOp op, float alpha, float beta, float[] x, float[] y, int n) {
        int chunks = (n + CHUNK - 1) / CHUNK;
        CpuPool.parallelFor(chunks, ch -> {
            int from = ch * CHUNK;
            int to = Math.min(n, from + CHUNK);
            switch (op) {
                case RELU -> clamp(x, y, from, to, 0f, Float.POSITIVE_INFINITY);
                case CLIPPED_RELU -> clamp(x, y, from, to, 0f, alpha);
                case AFFINE -> affine(x, y, from, to, alpha, beta);
                case HARD_SWISH -> hardSwish(x, y, from, to, alpha, beta);
                case HARD_SIGMOID -> hardSigmoid(x, y, from, to, alpha, beta);
                default -> {
                    for (int i = from; i < to; i++) {
                        y[i] = ElementwiseKernels.unary(op, alpha, beta, x[i]);
                    }
                }
            }
        });
    }

    private static void clamp(float[] x, float[] y, int from, int to, float lo, float hi) {
        int i = from;
        for (; i <= to - L; i += L) {
            FloatVector.fromArray(S, x, i).max(lo).min(hi).intoArray(y, i);
        }
        for (; i < to; i++) {
            y[i] = Math.min(Math.max(x[i], lo), hi);
        }
    }

    private static void affine(float[] x, float[] y, int from, int to, float alpha, float beta) {
        int i = from;
        FloatVector a = FloatVector.broadcast(S, alpha);
        FloatVector b = FloatVector.broadcast(S, beta);
        for (; i <= to - L; i += L) {
            FloatVector.fromArray(S, x, i).fma(a, b).intoArray(y, i);
        }
        for (; i < to; i++) {
            y[i] = alpha * x[i] + beta;
        }
    }

    private static void hardSigmoid(float[] x, float[] y, int from, int to, float alpha, float beta) {
        int i = from;
        FloatVector a = FloatVector.broadcast(S, alpha);
        FloatVector b = FloatVector.broadcast(S, beta);
        for (; i <= to - L; i += L) {
            FloatVector.fromArray(S, x, i).fma(a, b).max(0f).min(1f).intoArray(y, i);
        }
        for (; i < to; i++) {
            y[i] = Math.min(Math.max(alpha * x[i] + beta, 0f), 1f);
        }
    }

    private static void hardSwish(float[] x, float[] y, int from, int to, float alpha, float beta) {
        int i = from;
        FloatVector a = FloatVector.broadcast(S, alpha);
        FloatVector b = FloatVector.broadcast(S, beta);
        for (; i <= to - L; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            v.mul(v.fma(a, b).max(0f).min(1f)).intoArray(y, i);
        }
        for (; i < to; i++) {
            y[i] = x[i] * Math.min(Math.max(alpha * x[i] + beta, 0f), 1f);
        }
    }

    /** Binary op; dense same-shape operands and a broadcast trailing vector take the vector path. */
    static void binary(BinaryOp op, int[] shape, float[] a, int aOff, int[] aStrides, float[] b, int bOff,
                       int[] bStrides, float[] out) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        boolean aDense = dense(shape, aStrides);
        boolean bDense = dense(shape, bStrides);
        if (aDense && bDense) {
            int total = n;
            int chunks = (n + CHUNK - 1) / CHUNK;
            CpuPool.parallelFor(chunks, ch -> {
                int from = ch * CHUNK;
                denseBinary(op, a, aOff, b, bOff, out, from, Math.min(total, from + CHUNK));
            });
            return;
        }
        ElementwiseKernels.binary(op, shape, a, aOff, aStrides, b, bOff, bStrides, out);
    }

    private static boolean dense(int[] shape, int[] strides) {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    private static void denseBinary(BinaryOp op, float[] a, int aOff, float[] b, int bOff, float[] out, int from,
                                    int to) {
        VectorOperators.Binary vop = switch (op) {
            case ADD -> VectorOperators.ADD;
            case SUB -> VectorOperators.SUB;
            case MUL -> VectorOperators.MUL;
            case DIV -> VectorOperators.DIV;
            case MAX -> VectorOperators.MAX;
            case MIN -> VectorOperators.MIN;
        };
        int i = from;
        for (; i <= to - L; i += L) {
            FloatVector.fromArray(S, a, aOff + i).lanewise(vop, FloatVector.fromArray(S, b, bOff + i))
                    .intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = op.apply(a[aOff + i], b[bOff + i]);
        }
    }
}
