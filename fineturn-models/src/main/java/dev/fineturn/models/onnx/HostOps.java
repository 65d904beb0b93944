package dev.fineturn.models.onnx;

import java.util.Arrays;
import java.util.function.IntUnaryOperator;

/**
 * Index arithmetic on host tensors for constant folding: each op maps an output element to the
 * input element it copies. Integer values, including the {@link Dims} markers, are copied as they
 * are.
 */
final class HostOps {
    /** Folded tensors are small shape vectors; this bounds what a corrupt file can make us allocate. */
    static final long MAX_FOLDED = 1 << 24;

    private HostOps() {
    }

    static long checkedSize(long[] shape) {
        long n = Dims.numel(shape);
        if (n > MAX_FOLDED) {
            throw new IllegalArgumentException("a folded constant of shape " + Arrays.toString(shape)
                    + " would have more than " + MAX_FOLDED + " elements");
        }
        return n;
    }

    /** out[i] = t[source(i)] for every element of {@code outShape}. */
    static OnnxTensor map(OnnxTensor t, long[] outShape, IntUnaryOperator source) {
        int n = (int) checkedSize(outShape);
        if (t.isReal()) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = t.real(source.applyAsInt(i));
            }
            return OnnxTensor.ofReals(t.type(), outShape, v);
        }
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = t.integer(source.applyAsInt(i));
        }
        return OnnxTensor.ofLongs(t.type(), outShape, v);
    }

    static long[] strides(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= Math.max(shape[i], 1);
        }
        return s;
    }

    static OnnxTensor transpose(OnnxTensor t, int[] perm) {
        long[] in = t.shape();
        long[] inStrides = strides(in);
        long[] out = new long[in.length];
        for (int i = 0; i < perm.length; i++) {
            out[i] = in[perm[i]];
        }
        long[] outStrides = strides(out);
        return map(t, out, i -> {
            long src = 0;
            long rest = i;
            for (int d = 0; d < out.length; d++) {
                long coord = rest / outStrides[d];
                rest -= coord * outStrides[d];
                src += coord * inStrides[perm[d]];
            }
            return (int) src;
        });
    }

    /** Elements start + k * step (k < count) along each axis; other axes whole. */
    static OnnxTensor slice(OnnxTensor t, long[] start, long[] step, long[] count) {
        long[] in = t.shape();
        long[] inStrides = strides(in);
        long[] outStrides = strides(count);
        return map(t, count, i -> {
            long src = 0;
            long rest = i;
            for (int d = 0; d < count.length; d++) {
                long coord = rest / outStrides[d];
                rest -= coord * outStrides[d];
                src += (start[d] + coord * step[d]) * inStrides[d];
            }
            return (int) src;
        });
    }

    /** NumPy take along {@code axis} with already normalised indices. */
    static OnnxTensor gather(OnnxTensor t, int axis, long[] indices, long[] indexShape) {
        long[] in = t.shape();
        long[] out = new long[in.length - 1 + indexShape.length];
        System.arraycopy(in, 0, out, 0, axis);
        System.arraycopy(indexShape, 0, out, axis, indexShape.length);
        System.arraycopy(in, axis + 1, out, axis + indexShape.length, in.length - axis - 1);
        long inner = Dims.product(in, axis + 1, in.length);
        long count = indices.length;
        long dim = in[axis];
        return map(t, out, i -> {
            long innerIdx = i % inner;
            long k = (i / inner) % count;
            long outer = i / inner / count;
            return (int) ((outer * dim + indices[(int) k]) * inner + innerIdx);
        });
    }

    static OnnxTensor concat(int axis, OnnxTensor[] parts) {
        long[] out = parts[0].shape();
        long total = 0;
        for (OnnxTensor p : parts) {
            total += p.shape()[axis];
        }
        out[axis] = total;
        checkedSize(out);
        long inner = Dims.product(out, axis + 1, out.length);
        long outer = Dims.product(out, 0, axis);
        boolean real = parts[0].isReal();
        int n = (int) Dims.numel(out);
        float[] reals = real ? new float[n] : null;
        long[] ints = real ? null : new long[n];
        int at = 0;
        for (long o = 0; o < outer; o++) {
            for (OnnxTensor p : parts) {
                long block = p.shape()[axis] * inner;
                for (long j = 0; j < block; j++) {
                    int src = (int) (o * block + j);
                    if (real) {
                        reals[at++] = p.real(src);
                    } else {
                        ints[at++] = p.integer(src);
                    }
                }
            }
        }
        return real ? OnnxTensor.ofReals(parts[0].type(), out, reals) : OnnxTensor.ofLongs(parts[0].type(), out, ints);
    }

    /** Elementwise arithmetic with broadcasting, in the operands' type. */
    static OnnxTensor binary(String op, OnnxTensor a, OnnxTensor b) {
        long[] out = Dims.broadcast(a.shape(), b.shape());
        if (out == null) {
            throw new IllegalArgumentException(op + ": shapes " + Arrays.toString(a.shape()) + " and "
                    + Arrays.toString(b.shape()) + " cannot be broadcast");
        }
        int n = (int) checkedSize(out);
        int[] ia = broadcastIndex(a.shape(), out);
        int[] ib = broadcastIndex(b.shape(), out);
        if (a.isReal() || b.isReal()) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                double x = a.real(ia[i]);
                double y = b.real(ib[i]);
                v[i] = a.type().round(switch (op) {
                    case "Add" -> x + y;
                    case "Sub" -> x - y;
                    case "Mul" -> x * y;
                    default -> x / y;
                });
            }
            return OnnxTensor.ofReals(a.type(), out, v);
        }
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            long x = a.integer(ia[i]);
            long y = b.integer(ib[i]);
            if (Dims.isMarker(x) || Dims.isMarker(y)) {
                throw new MarkerException();
            }
            v[i] = a.type().wrap(switch (op) {
                case "Add" -> x + y;
                case "Sub" -> x - y;
                case "Mul" -> x * y;
                default -> {
                    if (y == 0) {
                        throw new IllegalArgumentException("integer division by zero in a folded constant");
                    }
                    yield x / y;
                }
            });
        }
        return OnnxTensor.ofLongs(a.type(), out, v);
    }

    /** For each element of {@code out}, the index of the element of {@code shape} broadcast to it. */
    private static int[] broadcastIndex(long[] shape, long[] out) {
        long[] s = strides(shape);
        long[] os = strides(out);
        int shift = out.length - shape.length;
        int[] idx = new int[(int) Dims.numel(out)];
        for (int i = 0; i < idx.length; i++) {
            long rest = i;
            long src = 0;
            for (int d = 0; d < out.length; d++) {
                long coord = rest / os[d];
                rest -= coord * os[d];
                int j = d - shift;
                if (j >= 0 && shape[j] != 1) {
                    src += coord * s[j];
                }
            }
            idx[i] = (int) src;
        }
        return idx;
    }

    static OnnxTensor cast(OnnxTensor t, DataType to) {
        int n = t.size();
        if (to.isReal()) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                if (!t.isReal() && Dims.isMarker(t.integer(i))) {
                    throw new MarkerException();
                }
                v[i] = to.round(t.real(i));
            }
            return OnnxTensor.ofReals(to, t.shape(), v);
        }
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            if (t.isReal()) {
                float f = t.real(i);
                v[i] = to.wrap(to == DataType.BOOL ? (f != 0 ? 1 : 0) : (long) f);
            } else {
                long x = t.integer(i);
                v[i] = Dims.isMarker(x) ? x : to.wrap(x);
            }
        }
        return OnnxTensor.ofLongs(to, t.shape(), v);
    }

    /** Arithmetic met a batch-size or unknown-dimension marker. */
    static final class MarkerException extends RuntimeException {
        MarkerException() {
            super(null, null, false, false);
        }
    }
}
