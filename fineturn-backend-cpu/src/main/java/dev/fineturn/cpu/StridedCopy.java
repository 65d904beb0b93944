package dev.fineturn.cpu;

import dev.fineturn.reference.ElementwiseKernels;

/**
 * Strided copies. Dimensions are ordered by destination stride and collapsed; then each row is a
 * contiguous block copy (slices, concatenation, padding), a broadcast fill (expanded tensors) or,
 * for permutes, one tile of a cache-blocked transpose.
 */
final class StridedCopy {
    private static final int CHUNK = 1 << 15;
    private static final int TILE = 32;

    private StridedCopy() {
    }

    static void copy(int[] shape, float[] src, int srcOff, int[] srcStrides, float[] dst, int dstOff,
                     int[] dstStrides) {
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 0) {
                return;
            }
            if (shape[d] > 1 && (dstStrides[d] <= 0 || srcStrides[d] < 0)) {
                // A destination that revisits elements takes the reference loop, whose order decides the last write.
                ElementwiseKernels.copyStrided(shape, src, srcOff, srcStrides, dst, dstOff, dstStrides);
                return;
            }
        }
        StridedLayout collapsed = StridedLayout.collapse(shape, dstStrides, srcStrides);
        collapsed = collapsed.permuted(byDescendingStride(collapsed.strides[0]));
        StridedLayout layout = StridedLayout.collapse(collapsed.shape, collapsed.strides[0], collapsed.strides[1]);
        int transposeDim = layout.innerStride(0) == 1 && layout.innerStride(1) > 1 ? contiguousSourceDim(layout) : -1;
        if (transposeDim >= 0) {
            transpose(layout, transposeDim, src, srcOff, dst, dstOff);
            return;
        }
        int n = layout.inner();
        long rowCount = layout.rows();
        int rowsPerTask = (int) Math.max(1, Math.min(rowCount, CHUNK / Math.max(n, 1)));
        int tasks = (int) ((rowCount + rowsPerTask - 1) / rowsPerTask);
        int ds = layout.innerStride(0);
        int ss = layout.innerStride(1);
        CpuPool.parallelFor(tasks, t -> {
            long first = (long) t * rowsPerTask;
            long last = Math.min(rowCount, first + rowsPerTask);
            StridedLayout.RowCursor c = new StridedLayout.RowCursor(layout, dstOff, srcOff).seek(first);
            for (long r = first; r < last; r++, c.advance()) {
                int d = c.offset(0);
                int s = c.offset(1);
                if (ds == 1 && ss == 1) {
                    System.arraycopy(src, s, dst, d, n);
                } else if (ds == 1 && ss == 0) {
                    java.util.Arrays.fill(dst, d, d + n, src[s]);
                } else {
                    for (int i = 0; i < n; i++) {
                        dst[d + i * ds] = src[s + i * ss];
                    }
                }
            }
        });
    }

    /** A permutation listing dimensions from the largest stride to the smallest (stable). */
    private static int[] byDescendingStride(int[] strides) {
        Integer[] order = new Integer[strides.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (x, y) -> Integer.compare(strides[y], strides[x]));
        int[] out = new int[order.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = order[i];
        }
        return out;
    }

    private static int contiguousSourceDim(StridedLayout layout) {
        for (int d = layout.rank() - 2; d >= 0; d--) {
            if (layout.strides[1][d] == 1) {
                return d;
            }
        }
        return -1;
    }

    /**
     * Copies where the destination is contiguous along the last dimension and the source along
     * {@code dim}: TILE x TILE blocks, so both sides touch few cache lines per block.
     */
    private static void transpose(StridedLayout layout, int dim, float[] src, int srcOff, float[] dst, int dstOff) {
        int rank = layout.rank();
        int[] outerShape = new int[rank - 1];
        int[] outerDst = new int[rank - 1];
        int[] outerSrc = new int[rank - 1];
        for (int d = 0, j = 0; d < rank - 1; d++) {
            if (d != dim) {
                outerShape[j] = layout.shape[d];
                outerDst[j] = layout.strides[0][d];
                outerSrc[j] = layout.strides[1][d];
                j++;
            }
        }
        outerShape[rank - 2] = 1;
        StridedLayout outer = StridedLayout.of(outerShape, outerDst, outerSrc);
        long outerCount = outer.rows();
        int m = layout.shape[dim];
        int n = layout.inner();
        int dstStrideM = layout.strides[0][dim];
        int srcStrideN = layout.innerStride(1);
        int tilesM = (m + TILE - 1) / TILE;
        int tilesN = (n + TILE - 1) / TILE;
        CpuPool.parallelFor((int) (outerCount * tilesM * tilesN), t -> {
            int tn = t % tilesN;
            int tm = (t / tilesN) % tilesM;
            long o = (long) t / tilesN / tilesM;
            StridedLayout.RowCursor c = new StridedLayout.RowCursor(outer, dstOff, srcOff).seek(o);
            int i1 = Math.min(m, (tm + 1) * TILE);
            int j1 = Math.min(n, (tn + 1) * TILE);
            // Source rows are read contiguously; the tile's destination lines stay cached across them.
            for (int j = tn * TILE; j < j1; j++) {
                int d = c.offset(0) + j;
                int s = c.offset(1) + j * srcStrideN;
                for (int i = tm * TILE; i < i1; i++) {
                    dst[d + i * dstStrideM] = src[s + i];
                }
            }
        });
    }
}
