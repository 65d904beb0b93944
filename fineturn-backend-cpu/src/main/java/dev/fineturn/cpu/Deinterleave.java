package dev.fineturn.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The lanes that de-interleave a run of 2L floats loaded as two vectors a and b: its even floats are
 * {@code a.rearrange(EVENS).blend(b.rearrange(EVENS), UPPER_HALF)}, its odd ones the same with {@link #ODDS}.
 * Stride-2 kernels read their taps this way instead of gathering.
 */
final class Deinterleave {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Lane j takes element 2j of a vector (mod L). */
    static final VectorShuffle<Float> EVENS = VectorShuffle.fromOp(S, j -> 2 * j % L);
    /** Lane j takes element 2j + 1 of a vector (mod L). */
    static final VectorShuffle<Float> ODDS = VectorShuffle.fromOp(S, j -> (2 * j + 1) % L);
    /** The upper half of the lanes, which take their floats from the second vector. */
    static final VectorMask<Float> UPPER_HALF = VectorMask.fromLong(S, (-1L << (L / 2)) & ((1L << L) - 1));

    private Deinterleave() {
    }
}
