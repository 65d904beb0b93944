package dev.fineturn.train.linear;

/**
 * A line search for a step satisfying the strong Wolfe conditions: bracketing followed by zoom with
 * safeguarded cubic interpolation (Nocedal and Wright, Numerical Optimization, algorithms 3.5 and 3.6).
 *
 * <p>Near a minimum, differences of f sink into its rounding error. Values within {@code NOISE * |f(0)|}
 * of each other then count as equal, and sufficient decrease is also met by the slope test of the
 * approximate Wolfe conditions (Hager and Zhang): f'(a) &lt;= (2 c1 - 1) f'(0), which is the same
 * condition for a quadratic f but needs no differences of f.
 */
final class WolfeLineSearch {
    static final double SUFFICIENT_DECREASE = 1e-4;
    static final double CURVATURE = 0.9;
    private static final int MAX_EVALUATIONS = 40;
    private static final double NOISE = 1e-12;

    /** {@code found}: x and gradient of the accepted step are in the output arrays. */
    record Outcome(boolean found, double step, double value, int evaluations) {
    }

    private final Objective f;
    private final double[] x;
    private final double[] d;
    private final double[] xOut;
    private final double[] gOut;
    private final double f0;
    private final double slope0;
    private final double noise;
    private int evaluations;

    private WolfeLineSearch(Objective f, double[] x, double f0, double[] d, double slope0, double[] xOut,
                            double[] gOut) {
        this.f = f;
        this.x = x;
        this.d = d;
        this.xOut = xOut;
        this.gOut = gOut;
        this.f0 = f0;
        this.slope0 = slope0;
        this.noise = NOISE * Math.abs(f0);
    }

    /**
     * Searches along the descent direction d (slope0 = gradient . d &lt; 0) from x, where f has value f0,
     * starting with the step {@code step}.
     */
    static Outcome search(Objective f, double[] x, double f0, double[] d, double slope0, double step,
                          double[] xOut, double[] gOut) {
        return new WolfeLineSearch(f, x, f0, d, slope0, xOut, gOut).run(step);
    }

    private Outcome run(double step) {
        double prev = 0;
        double fPrev = f0;
        double sPrev = slope0;
        double a = step;
        while (evaluations < MAX_EVALUATIONS) {
            double fa = evaluate(a);
            double sa = slope();
            if (!decreasesEnough(a, fa, sa) || (evaluations > 1 && fa > fPrev + noise)) {
                return zoom(prev, fPrev, sPrev, a, fa, sa);
            }
            if (Math.abs(sa) <= -CURVATURE * slope0) {
                return new Outcome(true, a, fa, evaluations);
            }
            if (sa >= 0) {
                return zoom(a, fa, sa, prev, fPrev, sPrev);
            }
            double next = cubicMinimum(prev, fPrev, sPrev, a, fa, sa);
            double lower = a + 1.1 * (a - prev);
            double upper = a + 4 * (a - prev);
            prev = a;
            fPrev = fa;
            sPrev = sa;
            a = next >= lower && next <= upper ? next : upper;
        }
        return new Outcome(false, 0, f0, evaluations);
    }

    /** Narrows [lo, hi] (either order) in which lo satisfies sufficient decrease and is the lowest point seen. */
    private Outcome zoom(double lo, double fLo, double sLo, double hi, double fHi, double sHi) {
        while (evaluations < MAX_EVALUATIONS) {
            double left = Math.min(lo, hi);
            double width = Math.abs(hi - lo);
            if (width <= 1e-16 * Math.max(Math.abs(lo), Math.abs(hi))) {
                break;
            }
            double a = Double.isFinite(fHi) ? cubicMinimum(lo, fLo, sLo, hi, fHi, sHi) : Double.NaN;
            if (!(a >= left + 0.1 * width && a <= left + 0.9 * width)) {
                a = left + 0.5 * width;
            }
            double fa = evaluate(a);
            double sa = slope();
            if (!decreasesEnough(a, fa, sa) || fa > fLo + noise) {
                hi = a;
                fHi = fa;
                sHi = sa;
            } else {
                if (Math.abs(sa) <= -CURVATURE * slope0) {
                    return new Outcome(true, a, fa, evaluations);
                }
                if (sa * (hi - lo) >= 0) {
                    hi = lo;
                    fHi = fLo;
                    sHi = sLo;
                }
                lo = a;
                fLo = fa;
                sLo = sa;
            }
        }
        if (lo > 0) {
            // Out of evaluations or interval: the best point met sufficient decrease, which is progress.
            double fa = evaluate(lo);
            return new Outcome(true, lo, fa, evaluations);
        }
        return new Outcome(false, 0, f0, evaluations);
    }

    private boolean decreasesEnough(double a, double fa, double sa) {
        return fa <= f0 + SUFFICIENT_DECREASE * a * slope0
                || (fa <= f0 + noise && sa <= (2 * SUFFICIENT_DECREASE - 1) * slope0);
    }

    private double evaluate(double a) {
        for (int i = 0; i < x.length; i++) {
            xOut[i] = x[i] + a * d[i];
        }
        evaluations++;
        double v = f.valueAndGradient(xOut, gOut);
        return Double.isNaN(v) ? Double.POSITIVE_INFINITY : v;
    }

    private double slope() {
        double s = 0;
        for (int i = 0; i < d.length; i++) {
            s += gOut[i] * d[i];
        }
        return Double.isNaN(s) ? Double.POSITIVE_INFINITY : s;
    }

    /** The minimiser of the cubic matching value and slope at a and b; NaN when it has none. */
    static double cubicMinimum(double a, double fa, double sa, double b, double fb, double sb) {
        double d1 = sa + sb - 3 * (fa - fb) / (a - b);
        double disc = d1 * d1 - sa * sb;
        if (!(disc >= 0)) {
            return Double.NaN;
        }
        double d2 = Math.copySign(Math.sqrt(disc), b - a);
        return b - (b - a) * (sb + d2 - d1) / (sb - sa + 2 * d2);
    }
}
