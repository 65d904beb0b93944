package dev.fineturn.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sums over a contiguous run. Lanes accumulate in float over blocks of {@link #BLOCK} vectors and
 * each block's total is added in double, so the rounding error stays near the reference's
 * double accumulation however long the run. The sums that statistics stream over large inputs use
 * two accumulators to hide the add latency.
 */
final class VectorSums {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    static final int BLOCK = 32;

    private VectorSums() {
    }

    static double sum(float[] a, int off, int n) {
        int bound = S.loopBound(n);
        double total = 0;
        int i = 0;
        while (i < bound) {
            int end = Math.min(bound, i + BLOCK * L);
            FloatVector acc = FloatVector.zero(S);
            FloatVector acc2 = FloatVector.zero(S);
            for (; i + L < end; i += 2 * L) {
                acc = acc.add(FloatVector.fromArray(S, a, off + i));
                acc2 = acc2.add(FloatVector.fromArray(S, a, off + i + L));
            }
            for (; i < end; i += L) {
                acc = acc.add(FloatVector.fromArray(S, a, off + i));
            }
            total += VectorMath.sumLanes(acc.add(acc2));
        }
        for (; i < n; i++) {
            total += a[off + i];
        }
        return total;
    }

    /** Sum of (a - c). */
    static double sumDeviations(float[] a, int off, int n, float c) {
        int bound = S.loopBound(n);
        FloatVector m = FloatVector.broadcast(S, c);
        double total = 0;
        int i = 0;
        while (i < bound) {
            int end = Math.min(bound, i + BLOCK * L);
            FloatVector acc = FloatVector.zero(S);
            for (; i < end; i += L) {
                acc = acc.add(FloatVector.fromArray(S, a, off + i).sub(m));
            }
            total += VectorMath.sumLanes(acc);
        }
        for (; i < n; i++) {
            total += a[off + i] - c;
        }
        return total;
    }

    /** Sum of (a - mean)^2. */
    static double sumSquaredDeviations(float[] a, int off, int n, float mean) {
        int bound = S.loopBound(n);
        FloatVector m = FloatVector.broadcast(S, mean);
        double total = 0;
        int i = 0;
        while (i < bound) {
            int end = Math.min(bound, i + BLOCK * L);
            FloatVector acc = FloatVector.zero(S);
            FloatVector acc2 = FloatVector.zero(S);
            for (; i + L < end; i += 2 * L) {
                FloatVector d = FloatVector.fromArray(S, a, off + i).sub(m);
                FloatVector d2 = FloatVector.fromArray(S, a, off + i + L).sub(m);
                acc = d.fma(d, acc);
                acc2 = d2.fma(d2, acc2);
            }
            for (; i < end; i += L) {
                FloatVector d = FloatVector.fromArray(S, a, off + i).sub(m);
                acc = d.fma(d, acc);
            }
            total += VectorMath.sumLanes(acc.add(acc2));
        }
        for (; i < n; i++) {
            double d = a[off + i] - mean;
            total += d * d;
        }
        return total;
    }

    /** Sum of w * (a - mean), both runs starting at {@code off}. */
    static double sumWeightedDeviations(float[] w, float[] a, int off, int n, float mean) {
        int bound = S.loopBound(n);
        FloatVector m = FloatVector.broadcast(S, mean);
        double total = 0;
        int i = 0;
        while (i < bound) {
            int end = Math.min(bound, i + BLOCK * L);
            FloatVector acc = FloatVector.zero(S);
            for (; i < end; i += L) {
                FloatVector d = FloatVector.fromArray(S, a, off + i).sub(m);
                acc = d.fma(FloatVector.fromArray(S, w, off + i), acc);
            }
            total += VectorMath.sumLanes(acc);
        }
        for (; i < n; i++) {
            total += (double) w[off + i] * (a[off + i] - mean);
        }
        return total;
    }

    /** Sum of a * b over runs starting at {@code aOff} and {@code bOff}. */
    static double dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int bound = S.loopBound(n);
        double total = 0;
        int i = 0;
        while (i < bound) {
            int end = Math.min(bound, i + BLOCK * L);
            FloatVector acc = FloatVector.zero(S);
            for (; i < end; i += L) {
                acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc);
            }
            total += VectorMath.sumLanes(acc);
        }
        for (; i < n; i++) {
            total += (double) a[aOff + i] * b[bOff + i];
        }
        return total;
    }

    /** The largest element; NaN if any element is NaN. */
    static float max(float[] a, int off, int n) {
        int bound = S.loopBound(n);
        float best = Float.NEGATIVE_INFINITY;
        int i = 0;
        if (bound > 0) {
            FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (; i < bound; i += L) {
                acc = acc.max(FloatVector.fromArray(S, a, off + i));
            }
            best = acc.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) {
            best = Math.max(best, a[off + i]);
        }
        return best;
    }
}
