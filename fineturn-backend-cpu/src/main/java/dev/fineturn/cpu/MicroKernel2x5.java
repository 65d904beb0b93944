package dev.fineturn.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The main micro-kernel on 16 vector registers (AVX2): 2 rows (one A sliver) x 5 vectors, the shape that measured
 * fastest under C2 there; its 10 accumulators leave registers for the B loads, so nothing spills.
 */
final class MicroKernel2x5 {
    private static final VectorSpecies<Float> SPECIES = VectorGemm.SPECIES;
    private static final int L = VectorGemm.L;
    private static final int MR = VectorGemm.MR;
    /** Columns of the tile, and so the stride of its B panel's rows. */
    static final int COLUMNS = 5 * L;

    private MicroKernel2x5() {
    }

    /**
     * C[2 x 5 vectors] = (store) or += alpha * Apanel[2 x kc] * Bpanel[kc x 5 vectors]; the accumulators stay in
     * registers.
     */
    static void multiply(float[] pa, int aBase, float[] pb, int bBase, int kc, float alpha, boolean store, float[] c,
                         int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = FloatVector.zero(SPECIES);
        FloatVector c02 = FloatVector.zero(SPECIES);
        FloatVector c03 = FloatVector.zero(SPECIES);
        FloatVector c04 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c11 = FloatVector.zero(SPECIES);
        FloatVector c12 = FloatVector.zero(SPECIES);
        FloatVector c13 = FloatVector.zero(SPECIES);
        FloatVector c14 = FloatVector.zero(SPECIES);
        for (int p = 0; p < kc; p++) {
            int ai = aBase + p * MR;
            int bi = bBase + p * COLUMNS;
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + L);
            FloatVector b2 = FloatVector.fromArray(SPECIES, pb, bi + 2 * L);
            FloatVector b3 = FloatVector.fromArray(SPECIES, pb, bi + 3 * L);
            FloatVector b4 = FloatVector.fromArray(SPECIES, pb, bi + 4 * L);
            FloatVector a0 = FloatVector.broadcast(SPECIES, pa[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            c03 = a0.fma(b3, c03);
            c04 = a0.fma(b4, c04);
            FloatVector a1 = FloatVector.broadcast(SPECIES, pa[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            c13 = a1.fma(b3, c13);
            c14 = a1.fma(b4, c14);
        }
        int o = cOff;
        if (store) {
            c00.mul(alpha).intoArray(c, o);
            c01.mul(alpha).intoArray(c, o + L);
            c02.mul(alpha).intoArray(c, o + 2 * L);
            c03.mul(alpha).intoArray(c, o + 3 * L);
            c04.mul(alpha).intoArray(c, o + 4 * L);
            o += ldc;
            c10.mul(alpha).intoArray(c, o);
            c11.mul(alpha).intoArray(c, o + L);
            c12.mul(alpha).intoArray(c, o + 2 * L);
            c13.mul(alpha).intoArray(c, o + 3 * L);
            c14.mul(alpha).intoArray(c, o + 4 * L);
            return;
        }
        FloatVector.fromArray(SPECIES, c, o).add(c00.mul(alpha)).intoArray(c, o);
        FloatVector.fromArray(SPECIES, c, o + L).add(c01.mul(alpha)).intoArray(c, o + L);
        FloatVector.fromArray(SPECIES, c, o + 2 * L).add(c02.mul(alpha)).intoArray(c, o + 2 * L);
        FloatVector.fromArray(SPECIES, c, o + 3 * L).add(c03.mul(alpha)).intoArray(c, o + 3 * L);
        FloatVector.fromArray(SPECIES, c, o + 4 * L).add(c04.mul(alpha)).intoArray(c, o + 4 * L);
        o += ldc;
        FloatVector.fromArray(SPECIES, c, o).add(c10.mul(alpha)).intoArray(c, o);
        FloatVector.fromArray(SPECIES, c, o + L).add(c11.mul(alpha)).intoArray(c, o + L);
        FloatVector.fromArray(SPECIES, c, o + 2 * L).add(c12.mul(alpha)).intoArray(c, o + 2 * L);
        FloatVector.fromArray(SPECIES, c, o + 3 * L).add(c13.mul(alpha)).intoArray(c, o + 3 * L);
        FloatVector.fromArray(SPECIES, c, o + 4 * L).add(c14.mul(alpha)).intoArray(c, o + 4 * L);
    }
}
