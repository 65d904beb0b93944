package dev.fineturn.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The narrow micro-kernel: 4 rows (two A slivers) x 2 vectors, 8 accumulators. It takes outputs narrower than the
 * main tile and the column remainders of wider ones, so a remainder costs its own width rather than a whole
 * padded tile. Its B comes as consecutive 2-vector panels, read at a constant stride.
 */
final class MicroKernel4x2 {
    private static final VectorSpecies<Float> SPECIES = VectorGemm.SPECIES;
    private static final int L = VectorGemm.L;
    private static final int MR = VectorGemm.MR;
    /** Columns of the tile, and so the stride of its B panel's rows. */
    static final int COLUMNS = 2 * L;

    private MicroKernel4x2() {
    }

    /**
     * C[4 x 2 vectors] = (store) or += alpha * A[4 x kc] * Bpanel[kc x 2 vectors]: rows 0-1 from the A sliver at
     * {@code aBase}, rows 2-3 from the one {@code aNext} floats further.
     */
    static void multiply(float[] pa, int aBase, int aNext, float[] pb, int bBase, int kc, float alpha, boolean store,
                         float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        FloatVector c31 = FloatVector.zero(SPECIES);
        for (int p = 0; p < kc; p++) {
            int ai = aBase + p * MR;
            int an = ai + aNext;
            int bi = bBase + p * COLUMNS;
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + L);
            FloatVector a0 = FloatVector.broadcast(SPECIES, pa[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(SPECIES, pa[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(SPECIES, pa[an]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(SPECIES, pa[an + 1]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        int o = cOff;
        if (store) {
            c00.mul(alpha).intoArray(c, o);
            c01.mul(alpha).intoArray(c, o + L);
            o += ldc;
            c10.mul(alpha).intoArray(c, o);
            c11.mul(alpha).intoArray(c, o + L);
            o += ldc;
            c20.mul(alpha).intoArray(c, o);
            c21.mul(alpha).intoArray(c, o + L);
            o += ldc;
            c30.mul(alpha).intoArray(c, o);
            c31.mul(alpha).intoArray(c, o + L);
            return;
        }
        FloatVector.fromArray(SPECIES, c, o).add(c00.mul(alpha)).intoArray(c, o);
        FloatVector.fromArray(SPECIES, c, o + L).add(c01.mul(alpha)).intoArray(c, o + L);
        o += ldc;
        FloatVector.fromArray(SPECIES, c, o).add(c10.mul(alpha)).intoArray(c, o);
        FloatVector.fromArray(SPECIES, c, o + L).add(c11.mul(alpha)).intoArray(c, o + L);
        o += ldc;
        FloatVector.fromArray(SPECIES, c, o).add(c20.mul(alpha)).intoArray(c, o);
        FloatVector.fromArray(SPECIES, c, o + L).add(c21.mul(alpha)).intoArray(c, o + L);
        o += ldc;
        FloatVector.fromArray(SPECIES, c, o).add(c30.mul(alpha)).intoArray(c, o);
        FloatVector.fromArray(SPECIES, c, o + L).add(c31.mul(alpha)).intoArray(c, o + L);
    }
}
