package dev.fineturn.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The 4 x 4-vector micro-kernel over unpacked rows of A: a row-major A (a convolution's weights) read as it is,
 * four rows at a time, so it need not be packed on every call. Its loop repeats {@link MicroKernel4x4}'s, since
 * the accumulators must stay in one method's registers.
 */
final class MicroKernel4x4Rows {
    private static final VectorSpecies<Float> SPECIES = VectorGemm.SPECIES;
    private static final int L = VectorGemm.L;
    /** Columns of the tile, and so the stride of its B panel's rows. */
    static final int COLUMNS = 4 * L;

    private MicroKernel4x4Rows() {
    }

    /**
     * C[4 x 4 vectors] = (store) or += alpha * A[4 x kc] * Bpanel[kc x 4 vectors], row r of A from
     * {@code a[ar + p]}, p along k (four streams instead of one packed sliver pair).
     */
    static void multiply(float[] a, int a0, int a1, int a2, int a3, float[] pb, int bBase, int kc, float alpha,
                         boolean store, float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = FloatVector.zero(SPECIES);
        FloatVector c02 = FloatVector.zero(SPECIES);
        FloatVector c03 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c11 = FloatVector.zero(SPECIES);
        FloatVector c12 = FloatVector.zero(SPECIES);
        FloatVector c13 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c21 = FloatVector.zero(SPECIES);
        FloatVector c22 = FloatVector.zero(SPECIES);
        FloatVector c23 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        FloatVector c31 = FloatVector.zero(SPECIES);
        FloatVector c32 = FloatVector.zero(SPECIES);
        FloatVector c33 = FloatVector.zero(SPECIES);
        for (int p = 0; p < kc; p++) {
            int bi = bBase + p * COLUMNS;
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + L);
            FloatVector b2 = FloatVector.fromArray(SPECIES, pb, bi + 2 * L);
            FloatVector b3 = FloatVector.fromArray(SPECIES, pb, bi + 3 * L);
            FloatVector x0 = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            c02 = x0.fma(b2, c02);
            c03 = x0.fma(b3, c03);
            FloatVector x1 = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            c12 = x1.fma(b2, c12);
            c13 = x1.fma(b3, c13);
            FloatVector x2 = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            c22 = x2.fma(b2, c22);
            c23 = x2.fma(b3, c23);
            FloatVector x3 = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
            c32 = x3.fma(b2, c32);
            c33 = x3.fma(b3, c33);
        }
        int o = cOff;
        if (store) {
            c00.mul(alpha).intoArray(c, o);
            c01.mul(alpha).intoArray(c, o + L);
            c02.mul(alpha).intoArray(c, o + 2 * L);
            c03.mul(alpha).intoArray(c, o + 3 * L);
            o += ldc;
            c10.mul(alpha).intoArray(c, o);
            c11.mul(alpha).intoArray(c, o + L);
            c12.mul(alpha).intoArray(c, o + 2 * L);
            c13.mul(alpha).intoArray(c, o + 3 * L);
            o += ldc;
            c20.mul(alpha).intoArray(c, o);
            c21.mul(alpha).intoArray(c, o + L);
            c22.mul(alpha).intoArray(c, o + 2 * L);
            c23.mul(alpha).intoArray(c, o + 3 * L);
            o += ldc;
            c30.mul(alpha).intoArray(c, o);
            c31.mul(alpha).intoArray(c, o + L);
            c32.mul(alpha).intoArray(c, o + 2 * L);
            c33.mul(alpha).intoArray(c, o + 3 * L);
            return;
        }
        FloatVector.fromArray(SPECIES, c, o).add(c00.mul(alpha)).intoArray(c, o);
        FloatVector.fromArray(SPECIES, c, o + L).add(c01.mul(alpha)).intoArray(c, o + L);
        FloatVector.fromArray(SPECIES, c, o + 2 * L).add(c02.mul(alpha)).intoArray(c, o + 2 * L);
        FloatVector.fromArray(SPECIES, c, o + 3 * L).add(c03.mul(alpha)).intoArray(c, o + 3 * L);
        o += ldc;
        FloatVector.fromArray(SPECIES, c, o).add(c10.mul(alpha)).intoArray(c, o);
        FloatVector.fromArray(SPECIES, c, o + L).add(c11.mul(alpha)).intoArray(c, o + L);
        FloatVector.fromArray(SPECIES, c, o + 2 * L).add(c12.mul(alpha)).intoArray(c, o + 2 * L);
        FloatVector.fromArray(SPECIES, c, o + 3 * L).add(c13.mul(alpha)).intoArray(c, o + 3 * L);
        o += ldc;
        FloatVector.fromArray(SPECIES, c, o).add(c20.mul(alpha)).intoArray(c, o);
        FloatVector.fromArray(SPECIES, c, o + L).add(c21.mul(alpha)).intoArray(c, o + L);
        FloatVector.fromArray(SPECIES, c, o + 2 * L).add(c22.mul(alpha)).intoArray(c, o + 2 * L);
        FloatVector.fromArray(SPECIES, c, o + 3 * L).add(c23.mul(alpha)).intoArray(c, o + 3 * L);
        o += ldc;
        FloatVector.fromArray(SPECIES, c, o).add(c30.mul(alpha)).intoArray(c, o);
        FloatVector.fromArray(SPECIES, c, o + L).add(c31.mul(alpha)).intoArray(c, o + L);
        FloatVector.fromArray(SPECIES, c, o + 2 * L).add(c32.mul(alpha)).intoArray(c, o + 2 * L);
        FloatVector.fromArray(SPECIES, c, o + 3 * L).add(c33.mul(alpha)).intoArray(c, o + 3 * L);
    }
}
