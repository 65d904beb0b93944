package dev.fineturn.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Lane sums, exp, log and tanh built only from operations that IEEE 754 rounds exactly (add, mul, fma,
 * div, compares, bit moves), so they give the same bits interpreted, under C1 and under C2.
 * {@code reduceLanes(ADD)} and {@code lanewise(EXP | LOG | TANH)} do not: the JIT's intrinsics add the
 * lanes in another order and call other math routines than the Java fallback that runs before a
 * method is compiled. Training from the same seed then gave different weights from one run to the
 * next, depending on when the JIT compiled which kernel.
 */
final class VectorMath {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    @SuppressWarnings("unchecked")
    private static final VectorSpecies<Integer> IS = (VectorSpecies<Integer>) S.withLanes(int.class);

    private static final VectorShuffle<Float> UP8 = VectorShuffle.fromOp(S, i -> (i + 8) % L);
    private static final VectorShuffle<Float> UP4 = VectorShuffle.fromOp(S, i -> (i + 4) % L);
    private static final VectorShuffle<Float> UP2 = VectorShuffle.fromOp(S, i -> (i + 2) % L);
    private static final VectorShuffle<Float> UP1 = VectorShuffle.fromOp(S, i -> (i + 1) % L);

    /** 1.5 * 2^23: adding it rounds a float below 2^22 in magnitude to an integer, held in the low bits. */
    private static final float ROUNDER = 12582912f;
    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 in two parts (Cody and Waite): n * LN2_HI is exact for the n that exp meets. */
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float SQRT_HALF = 0.707106781186547524f;

    private VectorMath() {
    }

    private static FloatVector c(float v) {
        return FloatVector.broadcast(S, v);
    }

    /** The lanes' sum, halves added pairwise: lane i + lane i + L/2, then again on the first half, ... */
    static float sumLanes(FloatVector v) {
        if (L >= 16) {
            v = v.add(v.rearrange(UP8));
        }
        if (L >= 8) {
            v = v.add(v.rearrange(UP4));
        }
        if (L >= 4) {
            v = v.add(v.rearrange(UP2));
        }
        if (L >= 2) {
            v = v.add(v.rearrange(UP1));
        }
        return v.lane(0);
    }

    /**
     * e^x to about 1 ulp (Cephes' expf polynomial): x = n ln 2 + r with |r| <= ln 2 / 2, then 2^n
     * applied in two halves so that results near the float range's ends neither overflow early nor
     * flush early. Above 89 gives infinity, below -104 zero, NaN stays NaN.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(-104f).min(89f);
        FloatVector t = xc.mul(LOG2E).add(ROUNDER);
        IntVector n = ((IntVector) t.viewAsIntegralLanes()).sub(ROUNDER_BITS);
        FloatVector y = expOfRemainder(xc, t.sub(ROUNDER));
        IntVector half = n.lanewise(VectorOperators.ASHR, 1);
        return y.mul(twoTo(half)).mul(twoTo(n.sub(half)));
    }

    /** e^x for |x| < 87, where 2^n needs no splitting. */
    private static FloatVector expModerate(FloatVector x) {
        FloatVector t = x.mul(LOG2E).add(ROUNDER);
        IntVector n = ((IntVector) t.viewAsIntegralLanes()).sub(ROUNDER_BITS);
        return expOfRemainder(x, t.sub(ROUNDER)).mul(twoTo(n));
    }

    /** e^r for r = x - n ln 2, the whole number n given as a float. */
    private static FloatVector expOfRemainder(FloatVector x, FloatVector n) {
        FloatVector r = n.fma(c(-LN2_HI), x);
        r = n.fma(c(-LN2_LO), r);
        FloatVector p = FloatVector.broadcast(S, 1.9875691500e-4f);
        p = p.fma(r, c(1.3981999507e-3f));
        p = p.fma(r, c(8.3334519073e-3f));
        p = p.fma(r, c(4.1665795894e-2f));
        p = p.fma(r, c(1.6666665459e-1f));
        p = p.fma(r, c(5.0000001201e-1f));
        return p.fma(r.mul(r), r).add(1f);
    }

    /** 2^n for n in [-126, 127]. */
    private static FloatVector twoTo(IntVector n) {
        return (FloatVector) n.add(127).lanewise(VectorOperators.LSHL, 23).viewAsFloatingLanes();
    }

    /**
     * ln x to about 1 ulp (Cephes' logf polynomial): x = m 2^e with m in [sqrt(1/2), sqrt(2)). Zero
     * gives -infinity, a negative x or NaN gives NaN, infinity gives infinity; subnormals are scaled
     * up first.
     */
    static FloatVector log(FloatVector x) {
        VectorMask<Float> subnormal = x.compare(VectorOperators.LT, Float.MIN_NORMAL);
        FloatVector xs = x.blend(x.mul(33554432f), subnormal);
        IntVector bits = (IntVector) xs.viewAsIntegralLanes();
        IntVector e = bits.lanewise(VectorOperators.LSHR, 23).and(0xFF).sub(126);
        e = e.blend(e.sub(25), subnormal.cast(IS));
        FloatVector m = (FloatVector) bits.and(0x807FFFFF).or(0x3F000000).viewAsFloatingLanes();
        VectorMask<Float> low = m.compare(VectorOperators.LT, SQRT_HALF);
        FloatVector fe = (FloatVector) e.convert(VectorOperators.I2F, 0);
        fe = fe.blend(fe.sub(1f), low);
        FloatVector f = m.blend(m.add(m), low).sub(1f);
        FloatVector z = f.mul(f);
        FloatVector y = logSeries(f, z);
        y = fe.fma(c(LN2_LO), y);
        y = z.fma(c(-0.5f), y);
        FloatVector result = fe.fma(c(LN2_HI), f.add(y));
        result = result.blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, 0f));
        result = result.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY));
        return result.blend(Float.NaN, x.compare(VectorOperators.LT, 0f).or(x.test(VectorOperators.IS_NAN)));
    }

    /** ln(1 + f) - f + f^2 / 2 for f in [sqrt(1/2) - 1, sqrt(2) - 1]; its own method to keep log inlinable. */
    private static FloatVector logSeries(FloatVector f, FloatVector z) {
        FloatVector p = FloatVector.broadcast(S, 7.0376836292e-2f);
        p = p.fma(f, c(-1.1514610310e-1f));
        p = p.fma(f, c(1.1676998740e-1f));
        p = p.fma(f, c(-1.2420140846e-1f));
        p = p.fma(f, c(1.4249322787e-1f));
        p = p.fma(f, c(-1.6668057665e-1f));
        p = p.fma(f, c(2.0000714765e-1f));
        p = p.fma(f, c(-2.4999993993e-1f));
        p = p.fma(f, c(3.3333331174e-1f));
        return p.mul(f).mul(z);
    }

    /**
     * tanh x: an odd polynomial below |x| = 0.625 (Cephes' tanhf), 1 - 2 / (e^2|x| + 1) above (|x| taken
     * no further than 10: tanh rounds to 1 from 9.01 on), and x's sign bit put back.
     */
    static FloatVector tanh(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector e = expModerate(ax.min(10f).mul(2f));
        FloatVector big = c(1f).sub(c(2f).div(e.add(1f)));
        FloatVector s = ax.mul(ax);
        FloatVector p = FloatVector.broadcast(S, -5.70498872745e-3f);
        p = p.fma(s, c(2.06390887954e-2f));
        p = p.fma(s, c(-5.37397155531e-2f));
        p = p.fma(s, c(1.33314422036e-1f));
        p = p.fma(s, c(-3.33332819422e-1f));
        FloatVector t = big.blend(p.mul(s).fma(ax, ax), ax.compare(VectorOperators.LT, 0.625f));
        IntVector sign = ((IntVector) x.viewAsIntegralLanes()).and(0x80000000);
        return (FloatVector) ((IntVector) t.viewAsIntegralLanes()).or(sign).viewAsFloatingLanes();
    }
}
