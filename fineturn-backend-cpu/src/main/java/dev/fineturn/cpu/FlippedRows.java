package dev.fineturn.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The data gradient's weights read as a forward convolution's, without writing them out: row ic of group grp,
 * column oc * khw + r, is w[grp * ocg + oc, ic, khw - 1 - r] (in and out channels swapped, taps reversed).
 *
 * <p>A sliver's two rows ic and ic + 1 take, per output channel, the 2 * khw floats w[oc, ic, *] and
 * w[oc, ic + 1, *], which lie side by side. For a 3x3 kernel their 18 packed floats are a fixed permutation of
 * those 18: one two-vector rearrange per vector of output (two loads a few floats apart) and two scalar copies,
 * where scalar code did 18 dependent loads and stores with a branch per tap.
 */
record FlippedRows(float[] w, int grp, int ocg, int icg, int khw) implements RowSource {
    private static final VectorSpecies<Float> S = VectorGemm.SPECIES;
    private static final int L = VectorGemm.L;
    private static final int MR = VectorGemm.MR;
    private static final int TAPS = 9;
    /** Whole vectors in one output channel's 2 * TAPS packed floats (1 on 16 lanes, 2 on 8). */
    private static final int VECTORS = 2 * TAPS / L;
    private static final int LOW0 = low(0);
    private static final int HIGH0 = high(0);
    private static final int LOW1 = low(1);
    private static final int HIGH1 = high(1);
    private static final VectorShuffle<Float> JOIN0 = join(0);
    private static final VectorShuffle<Float> JOIN1 = join(1);
    /** Whether every vector's floats come from two loads (16 and 8 lanes; not 4, where a vector spans 10 floats). */
    private static final boolean VECTORED = (VECTORS == 1 || VECTORS == 2) && fits(0) && fits(VECTORS - 1);

    /** Which of w[oc, ic, 0], ..., w[oc, ic + 1, TAPS - 1] packed float {@code o} of a channel copies. */
    private static int source(int o) {
        int tap = TAPS - 1 - o / 2;
        return o % 2 == 0 ? tap : TAPS + tap;
    }

    private static int low(int v) {
        int lo = Integer.MAX_VALUE;
        for (int n = 0; n < L && v < VECTORS; n++) {
            lo = Math.min(lo, source(v * L + n));
        }
        return v < VECTORS ? lo : 0;
    }

    private static int high(int v) {
        int hi = 0;
        for (int n = 0; n < L && v < VECTORS; n++) {
            hi = Math.max(hi, source(v * L + n));
        }
        return v < VECTORS ? Math.max(low(v), hi - L + 1) : 0;
    }

    private static boolean fits(int v) {
        for (int n = 0; n < L; n++) {
            int s = source(v * L + n);
            if (s - low(v) >= L && s < high(v)) {
                return false;
            }
        }
        return true;
    }

    /** Lane n from the load at low(v) where it holds the float, else from the load at high(v). */
    private static VectorShuffle<Float> join(int v) {
        if (v >= VECTORS) {
            return VectorShuffle.iota(S, 0, 1, true);
        }
        return VectorShuffle.fromOp(S, n -> {
            int s = source(v * L + n);
            return s - low(v) < L ? s - low(v) : s - high(v) - L;
        });
    }

    @Override
    public void packSliver(int i0, int height, int pc, int kc, float[] dst, int base) {
        if (!VECTORED || khw != TAPS || height != MR) {
            packScalar(i0, height, pc, kc, dst, base);
            return;
        }
        int head = Math.min(kc, (TAPS - pc % TAPS) % TAPS);
        packScalar(i0, height, pc, head, dst, base);
        int p = head;
        int d = base + head * MR;
        for (int s = ((grp * ocg + (pc + p) / TAPS) * icg + i0) * TAPS; p + TAPS <= kc;
             p += TAPS, d += MR * TAPS, s += icg * TAPS) {
            FloatVector.fromArray(S, w, s + LOW0).rearrange(JOIN0, FloatVector.fromArray(S, w, s + HIGH0))
                    .intoArray(dst, d);
            if (VECTORS == 2) {
                FloatVector.fromArray(S, w, s + LOW1).rearrange(JOIN1, FloatVector.fromArray(S, w, s + HIGH1))
                        .intoArray(dst, d + L);
            }
            for (int o = VECTORS * L; o < MR * TAPS; o++) {
                dst[d + o] = w[s + source(o)];
            }
        }
        packScalar(i0, height, pc + p, kc - p, dst, d);
    }

    private void packScalar(int i0, int height, int pc, int kc, float[] dst, int base) {
        int r = pc % khw;
        int src = ((grp * ocg + pc / khw) * icg + i0) * khw + khw - 1 - r;
        for (int p = 0, d = base; p < kc; p++, d += MR) {
            dst[d] = w[src];
            dst[d + 1] = height == MR ? w[src + khw] : 0f;
            if (++r == khw) {
                r = 0;
                src += icg * khw + khw - 1;
            } else {
                src--;
            }
        }
    }
}
