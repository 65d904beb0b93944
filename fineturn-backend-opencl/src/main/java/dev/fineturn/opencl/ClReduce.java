package dev.fineturn.opencl;

import dev.fineturn.spi.Storage;

import java.util.ArrayList;
import java.util.List;

/** Sum over the axes where the output has extent 1, on dimensions collapsed on the host. */
final class ClReduce {
    /** Up to this many summands per output, one work-item per output; beyond it, a work-group. */
    private static final long SERIAL_MAX = 32;

    private ClReduce() {
    }

    static void sum(ClLauncher b, int[] inShape, Storage in, int[] outShape, Storage out) {
        long total = 1;
        long outSize = 1;
        for (int d = 0; d < inShape.length; d++) {
            total *= inShape[d];
            outSize *= outShape[d];
        }
        if (outSize == 0) {
            return;
        }
        if (total == 0) {
            ClElementwise.fill(b, out, 0, outSize, 0f);
            return;
        }
        List<int[]> dims = collapse(inShape, outShape);
        int rank = dims.size();
        int[] kept = new int[rank];
        int[] red = new int[rank];
        int[] strides = new int[rank];
        for (int d = 0; d < rank; d++) {
            int[] dim = dims.get(d);
            kept[d] = dim[1] == 0 ? dim[0] : 1;
            red[d] = dim[1] == 0 ? 1 : dim[0];
            strides[d] = dim[2];
        }
        int count = ClLauncher.checkedInt(total / outSize, "reduction length");
        int outs = ClLauncher.checkedInt(outSize, "length");
        if (count <= SERIAL_MAX) {
            b.launch("sum_reduce_serial", ClRange.linear(outs), rank, ClLauncher.dims(kept),
                    ClLauncher.dims(red), ClLauncher.dims(strides), in, out, outs, count);
        } else {
            b.launch("sum_reduce_block", ClRange.perItem(outs, ClRange.RB), rank, ClLauncher.dims(kept),
                    ClLauncher.dims(red), ClLauncher.dims(strides), in, out, count);
        }
    }

    /**
     * The dense input's dimensions as {extent, reduced (0/1), stride}, dropping extent 1 and merging
     * neighbours of the same kind.
     */
    private static List<int[]> collapse(int[] inShape, int[] outShape) {
        List<int[]> dims = new ArrayList<>();
        int stride = 1;
        for (int d = inShape.length - 1; d >= 0; d--) {
            int extent = inShape[d];
            if (extent != 1) {
                int reduced = outShape[d] == 1 ? 1 : 0;
                int[] inner = dims.isEmpty() ? null : dims.get(0);
                if (inner != null && inner[1] == reduced) {
                    inner[0] = ClLauncher.checkedInt((long) inner[0] * extent, "extent");
                } else {
                    dims.add(0, new int[]{extent, reduced, stride});
                }
            }
            stride = ClLauncher.checkedInt((long) stride * extent, "stride");
        }
        if (dims.isEmpty()) {
            dims.add(new int[]{1, 0, 1});
        }
        return dims;
    }
}
