package dev.fineturn.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Where the A operand of a packed GEMM comes from when it is packed: one sliver of {@link VectorGemm#MR} rows at a
 * time (the counterpart of {@link PanelSource} for B).
 */
interface RowSource {
    /**
     * Writes op(A)[i0, i0 + height) x [pc, pc + kc) as kc groups of {@link VectorGemm#MR} floats from
     * {@code dst[base]}, rows past {@code height} zero.
     */
    void packSliver(int i0, int height, int pc, int kc, float[] dst, int base);

    /** op(A) stored densely: m x k, or k x m when {@code transposed}. */
    record Matrix(float[] a, int offset, int m, int k, boolean transposed) implements RowSource {
        private static final VectorSpecies<Float> SPECIES = VectorGemm.SPECIES;
        private static final int L = VectorGemm.L;
        private static final int MR = VectorGemm.MR;
        /** Lanes a[0], b[0], a[1], b[1], ... of two vectors a and b (ZIP_LOW), and from a[L/2] on (ZIP_HIGH). */
        private static final VectorShuffle<Float> ZIP_LOW =
                VectorShuffle.fromOp(SPECIES, j -> j % 2 == 0 ? j / 2 : j / 2 - L);
        private static final VectorShuffle<Float> ZIP_HIGH =
                VectorShuffle.fromOp(SPECIES, j -> j % 2 == 0 ? L / 2 + j / 2 : L / 2 + j / 2 - L);

        @Override
        public void packSliver(int i0, int height, int pc, int kc, float[] dst, int base) {
            if (transposed) {
                for (int p = 0, d = base, src = offset + pc * m + i0; p < kc; p++, d += MR, src += m) {
                    dst[d] = a[src];
                    dst[d + 1] = height == MR ? a[src + 1] : 0f;
                }
                return;
            }
            int src = offset + i0 * k + pc;
            if (height == MR) {
                // Both rows read side by side along k, written interleaved a vector of each at a time.
                int p = 0;
                for (; p + L <= kc; p += L) {
                    FloatVector r0 = FloatVector.fromArray(SPECIES, a, src + p);
                    FloatVector r1 = FloatVector.fromArray(SPECIES, a, src + k + p);
                    r0.rearrange(ZIP_LOW, r1).intoArray(dst, base + MR * p);
                    r0.rearrange(ZIP_HIGH, r1).intoArray(dst, base + MR * p + L);
                }
                for (int d = base + MR * p; p < kc; p++, d += MR) {
                    dst[d] = a[src + p];
                    dst[d + 1] = a[src + k + p];
                }
            } else {
                for (int p = 0, d = base; p < kc; p++, d += MR) {
                    dst[d] = a[src + p];
                    dst[d + 1] = 0f;
                }
            }
        }
    }
}
