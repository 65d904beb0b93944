package dev.fineturn.reference;

import dev.fineturn.spi.BinaryOp;
import dev.fineturn.spi.UnaryOp;

/** Plain-Java elementwise, copy and reduction kernels: the oracle for every backend. */
public final class ElementwiseKernels {
    private ElementwiseKernels() {
    }

    public static float unary(UnaryOp op, float alpha, float beta, float x) {
        return switch (op) {
            case RELU -> x > 0 ? x : 0f;
            case CLIPPED_RELU -> Math.min(Math.max(x, 0f), alpha);
            case LEAKY_RELU -> x > 0 ? x : alpha * x;
            case SIGMOID -> (float) (1.0 / (1.0 + Math.exp(-x)));
            case TANH -> (float) Math.tanh(x);
            case HARD_SIGMOID -> Math.min(Math.max(alpha * x + beta, 0f), 1f);
            case HARD_SWISH -> x * Math.min(Math.max(alpha * x + beta, 0f), 1f);
            case EXP -> (float) Math.exp(x);
            case LOG -> (float) Math.log(x);
            case SQRT -> (float) Math.sqrt(x);
            case AFFINE -> alpha * x + beta;
            case SQUARE -> x * x;
            case ABS -> Math.abs(x);
            case RECIPROCAL -> 1f / x;
        };
    }

    /** The derivative f'(x) given x and y = f(x). */
    public static float derivative(UnaryOp op, float alpha, float beta, float x, float y) {
        return switch (op) {
            case RELU -> x > 0 ? 1f : 0f;
            case CLIPPED_RELU -> x > 0 && x < alpha ? 1f : 0f;
            case LEAKY_RELU -> x > 0 ? 1f : alpha;
            case SIGMOID -> y * (1f - y);
            case TANH -> 1f - y * y;
            case HARD_SIGMOID -> {
                float t = alpha * x + beta;
                yield t > 0 && t < 1 ? alpha : 0f;
            }
            case HARD_SWISH -> {
                float t = alpha * x + beta;
                yield t <= 0 ? 0f : t >= 1 ? 1f : t + alpha * x;
            }
            case EXP -> y;
            case LOG -> 1f / x;
            case SQRT -> 0.5f / y;
            case AFFINE -> alpha;
            case SQUARE -> 2f * x;
            case ABS -> x > 0 ? 1f : x < 0 ? -1f : 0f;
            case RECIPROCAL -> -y * y;
        };
    }

    public static void unary(UnaryOp op, float alpha, float beta, float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] = unary(op, alpha, beta, x[i]);
        }
    }

    public static void unaryBackward(UnaryOp op, float alpha, float beta, float[] x, float[] y, float[] dy,
                                     float[] dx, int n) {
        for (int i = 0; i < n; i++) {
            dx[i] = dy[i] * derivative(op, alpha, beta, x[i], y[i]);
        }
    }

    public static void fill(float[] dst, int offset, int length, float value) {
        java.util.Arrays.fill(dst, offset, offset + length, value);
    }

    public static void copyStrided(int[] shape, float[] src, int srcOffset, int[] srcStrides,
                                   float[] dst, int dstOffset, int[] dstStrides) {
        int rank = shape.length;
        long total = 1;
        for (int d : shape) {
            total *= d;
        }
        if (total == 0) {
            return;
        }
        int[] idx = new int[rank];
        int s = srcOffset;
        int t = dstOffset;
        for (long done = 0; done < total; done++) {
            dst[t] = src[s];
            for (int d = rank - 1; d >= 0; d--) {
                idx[d]++;
                s += srcStrides[d];
                t += dstStrides[d];
                if (idx[d] < shape[d]) {
                    break;
                }
                s -= srcStrides[d] * shape[d];
                t -= dstStrides[d] * shape[d];
                idx[d] = 0;
            }
        }
    }

    public static void binary(BinaryOp op, int[] shape, float[] a, int aOffset, int[] aStrides,
                              float[] b, int bOffset, int[] bStrides, float[] out) {
        int rank = shape.length;
        long total = 1;
        for (int d : shape) {
            total *= d;
        }
        int[] idx = new int[rank];
        int ia = aOffset;
        int ib = bOffset;
        for (int o = 0; o < total; o++) {
            out[o] = op.apply(a[ia], b[ib]);
            for (int d = rank - 1; d >= 0; d--) {
                idx[d]++;
                ia += aStrides[d];
                ib += bStrides[d];
                if (idx[d] < shape[d]) {
                    break;
                }
                ia -= aStrides[d] * shape[d];
                ib -= bStrides[d] * shape[d];
                idx[d] = 0;
            }
        }
    }

    public static void sumReduce(int[] inShape, float[] in, int[] outShape, float[] out) {
        int rank = inShape.length;
        int[] outStrides = new int[rank];
        int stride = 1;
        int outSize = 1;
        for (int d = rank - 1; d >= 0; d--) {
            outStrides[d] = outShape[d] == 1 ? 0 : stride;
            stride *= outShape[d];
            outSize *= outShape[d];
        }
        double[] acc = new double[outSize];
        long total = 1;
        for (int d : inShape) {
            total *= d;
        }
        int[] idx = new int[rank];
        int o = 0;
        for (int i = 0; i < total; i++) {
            acc[o] += in[i];
            for (int d = rank - 1; d >= 0; d--) {
                idx[d]++;
                o += outStrides[d];
                if (idx[d] < inShape[d]) {
                    break;
                }
                o -= outStrides[d] * inShape[d];
                idx[d] = 0;
            }
        }
        for (int i = 0; i < outSize; i++) {
            out[i] = (float) acc[i];
        }
    }

    public static void dropoutMask(long seed, float p, float[] mask, int n) {
        float keep = p >= 1f ? 0f : 1f / (1f - p);
        for (int i = 0; i < n; i++) {
            mask[i] = dev.fineturn.spi.DropoutHash.uniform(seed, i) < p ? 0f : keep;
        }
    }
}
