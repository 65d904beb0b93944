package dev.fineturn.train.linear;

/**
 * Limited-memory BFGS: the two-loop recursion over the last {@code memory} steps and gradient changes,
 * with a strong Wolfe line search. Stops when the gradient's largest component is within the gradient
 * tolerance, when an iteration lowers f by no more than the relative decrease times max(|f|, 1) (a relative
 * decrease of 0 turns this off), after the iteration limit, or when no step along the search direction
 * or steepest descent lowers f.
 */
public final class Lbfgs {
    /** Why the minimiser stopped. */
    public enum Stop {
        GRADIENT_TOLERANCE, RELATIVE_DECREASE, MAX_ITERATIONS, LINE_SEARCH_FAILED
    }

    /** The last iterate, f there, and how the run ended; converged unless it ran out of iterations or steps. */
    public record Result(double[] x, double value, double gradientMaxNorm, int iterations, int evaluations,
                         Stop stop) {
        public boolean converged() {
            return stop == Stop.GRADIENT_TOLERANCE || stop == Stop.RELATIVE_DECREASE;
        }
    }

    private final int memory;
    private final double gradientTolerance;
    private final double relativeDecrease;
    private final int maxIterations;

    public Lbfgs(int memory, double gradientTolerance, double relativeDecrease, int maxIterations) {
        if (memory < 1 || !(gradientTolerance >= 0) || !(relativeDecrease >= 0) || maxIterations < 0) {
            throw new IllegalArgumentException("lbfgs: memory " + memory + " must be >= 1, tolerances ("
                    + gradientTolerance + ", " + relativeDecrease + ") >= 0 and max iterations " + maxIterations
                    + " >= 0");
        }
        this.memory = memory;
        this.gradientTolerance = gradientTolerance;
        this.relativeDecrease = relativeDecrease;
        this.maxIterations = maxIterations;
    }

    /** Memory 10, gradient tolerance 1e-6, relative decrease 1e-12, 1000 iterations. */
    public Lbfgs() {
        this(10, 1e-6, 1e-12, 1000);
    }

    public Lbfgs withGradientTolerance(double tolerance) {
        return new Lbfgs(memory, tolerance, relativeDecrease, maxIterations);
    }

    public Lbfgs withRelativeDecrease(double tolerance) {
        return new Lbfgs(memory, gradientTolerance, tolerance, maxIterations);
    }

    public Lbfgs withMaxIterations(int iterations) {
        return new Lbfgs(memory, gradientTolerance, relativeDecrease, iterations);
    }

    public int memory() {
        return memory;
    }

    public double gradientTolerance() {
        return gradientTolerance;
    }

    public double relativeDecrease() {
        return relativeDecrease;
    }

    public int maxIterations() {
        return maxIterations;
    }

    public Result minimize(Objective f, double[] x0) {
        int n = x0.length;
        double[] x = x0.clone();
        double[] g = new double[n];
        double fx = f.valueAndGradient(x, g);
        if (!Double.isFinite(fx)) {
            throw new IllegalArgumentException("lbfgs: the objective is " + fx + " at the starting point");
        }
        int evaluations = 1;
        double[] xNew = new double[n];
        double[] gNew = new double[n];
        double[] direction = new double[n];
        History history = new History(memory, n);
        int iteration = 0;
        while (true) {
            double gMax = maxAbs(g);
            if (gMax <= gradientTolerance) {
                return new Result(x, fx, gMax, iteration, evaluations, Stop.GRADIENT_TOLERANCE);
            }
            if (iteration >= maxIterations) {
                return new Result(x, fx, gMax, iteration, evaluations, Stop.MAX_ITERATIONS);
            }
            history.direction(g, direction);
            double slope = dot(direction, g);
            if (!(slope < 0)) {
                history.clear();
                history.direction(g, direction);
                slope = dot(direction, g);
            }
            double step = history.isEmpty() ? Math.min(1, 1 / Math.sqrt(dot(g, g))) : 1;
            WolfeLineSearch.Outcome ls = WolfeLineSearch.search(f, x, fx, direction, slope, step, xNew, gNew);
            evaluations += ls.evaluations();
            if (!ls.found()) {
                if (!history.isEmpty()) {
                    history.clear();
                    continue;
                }
                return new Result(x, fx, gMax, iteration, evaluations, Stop.LINE_SEARCH_FAILED);
            }
            iteration++;
            history.add(x, xNew, g, gNew);
            double fPrev = fx;
            double[] t = x;
            x = xNew;
            xNew = t;
            t = g;
            g = gNew;
            gNew = t;
            fx = ls.value();
            if (relativeDecrease > 0 && fPrev - fx <= relativeDecrease * Math.max(Math.max(Math.abs(fPrev), Math.abs(fx)), 1)) {
                return new Result(x, fx, maxAbs(g), iteration, evaluations, Stop.RELATIVE_DECREASE);
            }
        }
    }

    /** The last steps s = x' - x and gradient changes y = g' - g, oldest first, in a ring. */
    private static final class History {
        private final double[][] s;
        private final double[][] y;
        private final double[] rho;
        private final double[] alpha;
        private int newest = -1;
        private int size;

        History(int memory, int n) {
            s = new double[memory][n];
            y = new double[memory][n];
            rho = new double[memory];
            alpha = new double[memory];
        }

        boolean isEmpty() {
            return size == 0;
        }

        void clear() {
            size = 0;
            newest = -1;
        }

        void add(double[] x, double[] xNew, double[] g, double[] gNew) {
            double sy = 0;
            double yy = 0;
            for (int i = 0; i < x.length; i++) {
                double si = xNew[i] - x[i];
                double yi = gNew[i] - g[i];
                sy += si * yi;
                yy += yi * yi;
            }
            // Without positive curvature the pair would make the inverse Hessian indefinite.
            if (!(sy > 1e-12 * yy) || yy == 0) {
                return;
            }
            int slot = (newest + 1) % s.length;
            for (int i = 0; i < x.length; i++) {
                s[slot][i] = xNew[i] - x[i];
                y[slot][i] = gNew[i] - g[i];
            }
            rho[slot] = 1 / sy;
            newest = slot;
            size = Math.min(size + 1, s.length);
        }

        /** out = -H g by the two-loop recursion, H scaled by s.y / y.y of the newest pair. */
        void direction(double[] g, double[] out) {
            System.arraycopy(g, 0, out, 0, g.length);
            int m = s.length;
            for (int j = 0; j < size; j++) {
                int i = Math.floorMod(newest - j, m);
                alpha[i] = rho[i] * dot(s[i], out);
                axpy(-alpha[i], y[i], out);
            }
            double gamma = size == 0 ? 1 : 1 / (rho[newest] * dot(y[newest], y[newest]));
            for (int k = 0; k < out.length; k++) {
                out[k] *= gamma;
            }
            for (int j = size - 1; j >= 0; j--) {
                int i = Math.floorMod(newest - j, m);
                double beta = rho[i] * dot(y[i], out);
                axpy(alpha[i] - beta, s[i], out);
            }
            for (int k = 0; k < out.length; k++) {
                out[k] = -out[k];
            }
        }
    }

    static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double e : v) {
            m = Math.max(m, Math.abs(e));
        }
        return m;
    }
}
