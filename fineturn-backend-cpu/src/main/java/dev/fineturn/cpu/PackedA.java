package dev.fineturn.cpu;

/**
 * op(A) packed once for several products with the same A (a convolution's weights against several image chunks):
 * every k block's two-row slivers, block pc at {@code offset + mPadded * pc}; or, with {@code rows}, a row-major
 * A left as it is ({@link #unpackedRows}).
 */
record PackedA(float[] data, int offset, int m, int k, boolean rows) {
    /** Floats an m x k op(A) takes packed. */
    static int size(int m, int k) {
        return (m + VectorGemm.MR - 1) / VectorGemm.MR * VectorGemm.MR * k;
    }

    /**
     * A row-major m x k A at {@code data[offset]} that the 4 x 4 tile reads as it is, four rows at a time,
     * without packing; products whose columns that tile does not cover pack it block by block as usual.
     */
    static PackedA unpackedRows(float[] data, int offset, int m, int k) {
        return new PackedA(data, offset, m, k, true);
    }
}
