package dev.fineturn.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * A sum over the axes where the output has extent 1, with the dense input's dimensions collapsed
 * on the host: extent-1 dimensions dropped, neighbours of the same kind (kept or reduced) merged.
 * {@code kept[d]} is the output extent of collapsed dimension d (1 where reduced), {@code red[d]}
 * the reduced extent (1 where kept), {@code strides[d]} its stride in the input.
 */
record ReducePlan(int rank, int[] kept, int[] red, int[] strides, int outSize, int count) {
    /** Up to this many summands per output, one thread per output; beyond it, a block. */
    static final int SERIAL_MAX = 32;

    static ReducePlan of(int[] inShape, int[] outShape) {
        if (inShape.length != outShape.length) {
            throw new IllegalArgumentException("sum: ranks differ");
        }
        long total = 1;
        long outSize = 1;
        for (int d = 0; d < inShape.length; d++) {
            if (outShape[d] != 1 && outShape[d] != inShape[d]) {
                throw new IllegalArgumentException("sum: output extent " + outShape[d] + " at axis " + d
                        + " is neither 1 nor the input's " + inShape[d]);
            }
            total *= inShape[d];
            outSize *= outShape[d];
        }
        List<int[]> dims = new ArrayList<>();
        int stride = 1;
        for (int d = inShape.length - 1; d >= 0; d--) {
            int extent = inShape[d];
            if (extent != 1) {
                int reduced = outShape[d] == 1 ? 1 : 0;
                int[] inner = dims.isEmpty() ? null : dims.get(0);
                if (inner != null && inner[1] == reduced) {
                    inner[0] = CudaLauncher.checkedInt((long) inner[0] * extent, "extent");
                } else {
                    dims.add(0, new int[]{extent, reduced, stride});
                }
            }
            stride = CudaLauncher.checkedInt((long) stride * extent, "stride");
        }
        if (dims.isEmpty()) {
            dims.add(new int[]{1, 0, 1});
        }
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
        int outs = CudaLauncher.checkedInt(outSize, "length");
        int count = outSize == 0 ? 0 : CudaLauncher.checkedInt(total / outSize, "reduction length");
        return new ReducePlan(rank, kept, red, strides, outs, count);
    }

    boolean serial() {
        return count <= SERIAL_MAX;
    }
}
