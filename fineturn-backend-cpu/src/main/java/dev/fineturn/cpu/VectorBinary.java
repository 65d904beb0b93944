package dev.fineturn.cpu;

import dev.fineturn.spi.BinaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Broadcasting binary ops. The operands' strides are collapsed so that each row's innermost run is
 * either contiguous (stride 1) or a broadcast scalar (stride 0): a same-shape op, a row vector
 * added to a matrix and a per-channel bias on NCHW all become vector loops over rows.
 *
 * <p>Every vector loop names its operator directly: {@code lanewise(op)} with an operator that is
 * not a compile-time constant is not intrinsified and runs about 20 times slower.
 */
final class VectorBinary {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int CHUNK = 1 << 15;

    private VectorBinary() {
    }

    static void binary(BinaryOp op, int[] shape, float[] a, int aOff, int[] aStrides, float[] b, int bOff,
                       int[] bStrides, float[] out) {
        StridedLayout layout = StridedLayout.collapse(shape, StridedLayout.denseStrides(shape), aStrides, bStrides);
        long total = layout.numel();
        if (total == 0) {
            return;
        }
        int n = layout.inner();
        long rows = layout.rows();
        if (n > CHUNK) {
            // Long rows (a dense tensor collapses to one) are cut into pieces, so that the threads share them.
            int pieces = (n + CHUNK - 1) / CHUNK;
            int as = layout.innerStride(1);
            int bs = layout.innerStride(2);
            CpuPool.parallelFor((int) (rows * pieces), t -> {
                int start = t % pieces * CHUNK;
                StridedLayout.RowCursor cursor = new StridedLayout.RowCursor(layout, 0, aOff, bOff).seek(t / pieces);
                row(op, layout, a, cursor.offset(1) + start * as, b, cursor.offset(2) + start * bs, out,
                        cursor.offset(0) + start, Math.min(CHUNK, n - start));
            });
            return;
        }
        int rowsPerTask = (int) Math.max(1, Math.min(rows, CHUNK / Math.max(n, 1)));
        int tasks = (int) ((rows + rowsPerTask - 1) / rowsPerTask);
        CpuPool.parallelFor(tasks, t -> {
            long first = (long) t * rowsPerTask;
            long last = Math.min(rows, first + rowsPerTask);
            StridedLayout.RowCursor cursor = new StridedLayout.RowCursor(layout, 0, aOff, bOff).seek(first);
            for (long r = first; r < last; r++, cursor.advance()) {
                row(op, layout, a, cursor.offset(1), b, cursor.offset(2), out, cursor.offset(0), n);
            }
        });
    }

    private static void row(BinaryOp op, StridedLayout layout, float[] a, int ai, float[] b, int bi, float[] out,
                            int oi, int n) {
        int as = layout.innerStride(1);
        int bs = layout.innerStride(2);
        if (as == 1 && bs == 1) {
            vectorVector(op, a, ai, b, bi, out, oi, n);
        } else if (as == 1 && bs == 0) {
            vectorScalar(op, a, ai, b[bi], out, oi, n);
        } else if (as == 0 && bs == 1) {
            scalarVector(op, a[ai], b, bi, out, oi, n);
        } else if (as == 0 && bs == 0) {
            java.util.Arrays.fill(out, oi, oi + n, op.apply(a[ai], b[bi]));
        } else {
            for (int i = 0; i < n; i++) {
                out[oi + i] = op.apply(a[ai + i * as], b[bi + i * bs]);
            }
        }
    }

    private static void vectorVector(BinaryOp op, float[] a, int ai, float[] b, int bi, float[] out, int oi, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        switch (op) {
            case ADD -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, ai + i).add(FloatVector.fromArray(S, b, bi + i)).intoArray(out, oi + i);
                }
            }
            case SUB -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, ai + i).sub(FloatVector.fromArray(S, b, bi + i)).intoArray(out, oi + i);
                }
            }
            case MUL -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, ai + i).mul(FloatVector.fromArray(S, b, bi + i)).intoArray(out, oi + i);
                }
            }
            case DIV -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, ai + i).div(FloatVector.fromArray(S, b, bi + i)).intoArray(out, oi + i);
                }
            }
            case MAX -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, ai + i).max(FloatVector.fromArray(S, b, bi + i)).intoArray(out, oi + i);
                }
            }
            case MIN -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, ai + i).min(FloatVector.fromArray(S, b, bi + i)).intoArray(out, oi + i);
                }
            }
        }
        for (; i < n; i++) {
            out[oi + i] = op.apply(a[ai + i], b[bi + i]);
        }
    }

    private static void vectorScalar(BinaryOp op, float[] a, int ai, float b, float[] out, int oi, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        FloatVector bv = FloatVector.broadcast(S, b);
        switch (op) {
            case ADD -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, ai + i).add(bv).intoArray(out, oi + i);
                }
            }
            case SUB -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, ai + i).sub(bv).intoArray(out, oi + i);
                }
            }
            case MUL -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, ai + i).mul(bv).intoArray(out, oi + i);
                }
            }
            case DIV -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, ai + i).div(bv).intoArray(out, oi + i);
                }
            }
            case MAX -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, ai + i).max(bv).intoArray(out, oi + i);
                }
            }
            case MIN -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, ai + i).min(bv).intoArray(out, oi + i);
                }
            }
        }
        for (; i < n; i++) {
            out[oi + i] = op.apply(a[ai + i], b);
        }
    }

    private static void scalarVector(BinaryOp op, float a, float[] b, int bi, float[] out, int oi, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        FloatVector av = FloatVector.broadcast(S, a);
        switch (op) {
            case ADD -> {
                for (; i < bound; i += L) {
                    av.add(FloatVector.fromArray(S, b, bi + i)).intoArray(out, oi + i);
                }
            }
            case SUB -> {
                for (; i < bound; i += L) {
                    av.sub(FloatVector.fromArray(S, b, bi + i)).intoArray(out, oi + i);
                }
            }
            case MUL -> {
                for (; i < bound; i += L) {
                    av.mul(FloatVector.fromArray(S, b, bi + i)).intoArray(out, oi + i);
                }
            }
            case DIV -> {
                for (; i < bound; i += L) {
                    av.div(FloatVector.fromArray(S, b, bi + i)).intoArray(out, oi + i);
                }
            }
            case MAX -> {
                for (; i < bound; i += L) {
                    av.max(FloatVector.fromArray(S, b, bi + i)).intoArray(out, oi + i);
                }
            }
            case MIN -> {
                for (; i < bound; i += L) {
                    av.min(FloatVector.fromArray(S, b, bi + i)).intoArray(out, oi + i);
                }
            }
        }
        for (; i < n; i++) {
            out[oi + i] = op.apply(a, b[bi + i]);
        }
    }
}
