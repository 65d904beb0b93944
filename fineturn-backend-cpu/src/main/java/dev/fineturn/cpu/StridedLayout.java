package dev.fineturn.cpu;

/**
 * A strided iteration space over several operands, with size-1 dimensions dropped and adjacent
 * dimensions merged wherever every operand is contiguous across them. Kernels loop over rows (all
 * dimensions but the last) and run a vector loop along the last dimension.
 */
final class StridedLayout {
    final int[] shape;
    final int[][] strides;

    private StridedLayout(int[] shape, int[][] strides) {
        this.shape = shape;
        this.strides = strides;
    }

    static StridedLayout collapse(int[] shape, int[]... operandStrides) {
        int rank = shape.length;
        int k = operandStrides.length;
        int[] outShape = new int[Math.max(rank, 1)];
        int[][] outStrides = new int[k][Math.max(rank, 1)];
        int r = 0;
        for (int d = 0; d < rank; d++) {
            if (shape[d] == 1) {
                continue;
            }
            if (r > 0 && mergeable(outStrides, r - 1, shape[d], operandStrides, d)) {
                outShape[r - 1] *= shape[d];
                for (int j = 0; j < k; j++) {
                    outStrides[j][r - 1] = operandStrides[j][d];
                }
                continue;
            }
            outShape[r] = shape[d];
            for (int j = 0; j < k; j++) {
                outStrides[j][r] = operandStrides[j][d];
            }
            r++;
        }
        if (r == 0) {
            outShape[0] = 1;
            for (int j = 0; j < k; j++) {
                outStrides[j][0] = 1;
            }
            r = 1;
        }
        int[][] strides = new int[k][];
        for (int j = 0; j < k; j++) {
            strides[j] = java.util.Arrays.copyOf(outStrides[j], r);
        }
        return new StridedLayout(java.util.Arrays.copyOf(outShape, r), strides);
    }

    /** The outer dimension (already collapsed) merges with the next when it steps over it exactly. */
    private static boolean mergeable(int[][] outer, int o, int innerSize, int[][] inner, int d) {
        for (int j = 0; j < outer.length; j++) {
            if ((long) outer[j][o] != (long) inner[j][d] * innerSize) {
                return false;
            }
        }
        return true;
    }

    /** A layout taken as given, without collapsing. */
    static StridedLayout of(int[] shape, int[]... operandStrides) {
        return new StridedLayout(shape, operandStrides);
    }

    /** Row-major strides of a dense tensor of {@code shape}. */
    static int[] denseStrides(int[] shape) {
        int[] s = new int[shape.length];
        int stride = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = stride;
            stride *= shape[i];
        }
        return s;
    }

    int rank() {
        return shape.length;
    }

    /** Length of the innermost dimension. */
    int inner() {
        return shape[shape.length - 1];
    }

    int innerStride(int operand) {
        return strides[operand][shape.length - 1];
    }

    /** Number of rows: the product of every dimension but the last. */
    long rows() {
        long n = 1;
        for (int d = 0; d < shape.length - 1; d++) {
            n *= shape[d];
        }
        return n;
    }

    long numel() {
        return rows() * inner();
    }

    /** The same layout with dimensions reordered by {@code order} (a permutation). */
    StridedLayout permuted(int[] order) {
        int[] s = new int[order.length];
        int[][] st = new int[strides.length][order.length];
        for (int i = 0; i < order.length; i++) {
            s[i] = shape[order[i]];
            for (int j = 0; j < strides.length; j++) {
                st[j][i] = strides[j][order[i]];
            }
        }
        return new StridedLayout(s, st);
    }

    /** Walks the rows of a layout, keeping each operand's offset of the current row's first element. */
    static final class RowCursor {
        private final int[] shape;
        private final int[][] strides;
        private final int[] index;
        private final int[] offsets;

        RowCursor(StridedLayout layout, int... baseOffsets) {
            this.shape = layout.shape;
            this.strides = layout.strides;
            this.index = new int[Math.max(0, shape.length - 1)];
            this.offsets = new int[baseOffsets.length];
            System.arraycopy(baseOffsets, 0, offsets, 0, baseOffsets.length);
        }

        /** Moves from row 0 (the cursor's starting state) to {@code row}; call once, before advancing. */
        RowCursor seek(long row) {
            long rest = row;
            for (int d = index.length - 1; d >= 0; d--) {
                int i = (int) (rest % shape[d]);
                rest /= shape[d];
                index[d] = i;
                for (int j = 0; j < offsets.length; j++) {
                    offsets[j] += i * strides[j][d];
                }
            }
            return this;
        }

        int offset(int operand) {
            return offsets[operand];
        }

        void advance() {
            for (int d = index.length - 1; d >= 0; d--) {
                index[d]++;
                for (int j = 0; j < offsets.length; j++) {
                    offsets[j] += strides[j][d];
                }
                if (index[d] < shape[d]) {
                    return;
                }
                for (int j = 0; j < offsets.length; j++) {
                    offsets[j] -= strides[j][d] * shape[d];
                }
                index[d] = 0;
            }
        }
    }
}
