package dev.fineturn.opencl;

import java.util.Arrays;

/**
 * The NDRange of one kernel launch: global work size per dimension, and the work-group size, or
 * null to let the implementation choose. OpenCL 1.2 needs the global size to be a multiple of the
 * work-group size in every dimension, which the constructor checks.
 */
record ClRange(long[] global, long[] local) {
    /** Work-items per work-group of the reduction kernels: {@code RB} in dialect.h. */
    static final int RB = 64;
    /** Output tile edge of gemm.cl's kernels ({@code TS}), computed by 16 x 16 work-items. */
    static final int TILE = 64;
    static final int TILE_ITEMS = 16;
    /** One-work-item-per-element kernels round their range up to a multiple of this. */
    static final int LINEAR_ROUND = 64;

    ClRange {
        if (global.length < 1 || global.length > 3) {
            throw new IllegalArgumentException("opencl: a range has 1 to 3 dimensions, not " + global.length);
        }
        for (long g : global) {
            if (g < 1) {
                throw new IllegalArgumentException("opencl: empty range " + Arrays.toString(global));
            }
        }
        if (local != null) {
            if (local.length != global.length) {
                throw new IllegalArgumentException("opencl: work-group " + Arrays.toString(local)
                        + " and range " + Arrays.toString(global) + " differ in dimensions");
            }
            for (int d = 0; d < global.length; d++) {
                if (local[d] < 1 || global[d] % local[d] != 0) {
                    throw new IllegalArgumentException("opencl: range " + Arrays.toString(global)
                            + " is not a multiple of work-group " + Arrays.toString(local));
                }
            }
        }
        global = global.clone();
        local = local == null ? null : local.clone();
    }

    /** One work-item per element, the implementation choosing the work-group. */
    static ClRange linear(long n) {
        return new ClRange(new long[]{Math.max(1, (n + LINEAR_ROUND - 1) / LINEAR_ROUND * LINEAR_ROUND)}, null);
    }

    /** One work-group of {@code size} work-items for each of {@code items} items. */
    static ClRange perItem(long items, int size) {
        return new ClRange(new long[]{Math.max(1, items) * size}, new long[]{size});
    }

    /** gemm.cl's output tiles over columns x rows, times {@code depth} (batch, group or split). */
    static ClRange tiles(long cols, long rows, long depth) {
        return new ClRange(new long[]{ceil(cols, TILE) * TILE_ITEMS, ceil(rows, TILE) * TILE_ITEMS, depth},
                new long[]{TILE_ITEMS, TILE_ITEMS, 1});
    }

    /** A range with the implementation choosing the work-group. */
    static ClRange of(long... global) {
        return new ClRange(global, null);
    }

    long workItems() {
        long n = 1;
        for (long g : global) {
            n *= g;
        }
        return n;
    }

    private static long ceil(long a, long b) {
        return (a + b - 1) / b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClRange r && Arrays.equals(global, r.global) && Arrays.equals(local, r.local);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(global) + Arrays.hashCode(local);
    }

    @Override
    public String toString() {
        return Arrays.toString(global) + (local == null ? "" : " in groups of " + Arrays.toString(local));
    }
}
