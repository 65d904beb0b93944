package dev.fineturn.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Inverted-dropout masks from {@code DropoutHash.uniform(seed, i)}, bit-identical to the reference:
 * the splitmix64 hash runs in 64-bit lanes, its top 24 bits become a float exactly as in the scalar
 * code, and the comparison with p picks 0 or 1/(1-p).
 */
final class VectorDropout {
    private static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;
    /** Half-width int and float species: one 32-bit lane per 64-bit lane. */
    private static final VectorSpecies<Integer> IS =
            VectorSpecies.of(int.class, VectorShape.forBitSize(LS.vectorBitSize() / 2));
    private static final VectorSpecies<Float> FS =
            VectorSpecies.of(float.class, VectorShape.forBitSize(LS.vectorBitSize() / 2));
    private static final int L = LS.length();
    private static final int CHUNK = 1 << 15;

    private VectorDropout() {
    }

    static void mask(long seed, float p, float[] mask, int n) {
        float keep = p >= 1f ? 0f : 1f / (1f - p);
        CpuPool.parallelFor((n + CHUNK - 1) / CHUNK, ch -> {
            int from = ch * CHUNK;
            range(seed, p, keep, mask, from, Math.min(n, from + CHUNK));
        });
    }

    private static void range(long seed, float p, float keep, float[] mask, int from, int to) {
        LongVector lanes = LongVector.zero(LS).addIndex(1);
        FloatVector kept = FloatVector.broadcast(FS, keep);
        FloatVector dropped = FloatVector.zero(FS);
        int i = from;
        for (int bound = from + LS.loopBound(to - from); i < bound; i += L) {
            LongVector z = lanes.add(i + 1L).mul(0x9E3779B97F4A7C15L).add(seed);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(0xBF58476D1CE4E5B9L);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(0x94D049BB133111EBL);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31));
            IntVector top = (IntVector) z.lanewise(VectorOperators.LSHR, 40).convertShape(VectorOperators.L2I, IS, 0);
            FloatVector u = ((FloatVector) top.convertShape(VectorOperators.I2F, FS, 0)).mul(0x1.0p-24f);
            kept.blend(dropped, u.compare(VectorOperators.LT, p)).intoArray(mask, i);
        }
        for (; i < to; i++) {
            mask[i] = dev.fineturn.spi.DropoutHash.uniform(seed, i) < p ? 0f : keep;
        }
    }
}
