package dev.fineturn.train.linear;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A linear classifier on fixed feature vectors: standardise the features, choose C by repeated stratified
 * k-fold cross-validation over a grid, refit on all rows with that C, and fold the standardisation into the
 * weights so the result applies to raw features.
 *
 * <p>The standardisation uses all training rows, before the folds are made; it does not see the labels.
 * Along the grid, from strong to weak regularisation, each fit starts from the previous one's solution.
 * The chosen C has the highest mean held-out accuracy over all folds of all repeats, the smallest C among
 * ties. Each repeat deals the rows into folds anew (seed, seed + 1, ...): on a few hundred rows the
 * accuracy curve over C is flat near its top, and one split's noise decides between values of C whose
 * test accuracies differ by a point or more. When the smallest class has fewer rows than folds, the folds
 * drop to its size; below two rows there is no cross-validation and C is {@link #DEFAULT_C}.
 */
public final class LinearProbe {
    /** C when there are too few rows per class to cross-validate. */
    public static final double DEFAULT_C = 1.0;

    private final double[] grid;
    private final int folds;
    private final int repeats;
    private final long seed;
    private final int threads;
    private final Lbfgs solver;

    private LinearProbe(double[] grid, int folds, int repeats, long seed, int threads, Lbfgs solver) {
        this.grid = grid;
        this.folds = folds;
        this.repeats = repeats;
        this.seed = seed;
        this.threads = threads;
        this.solver = solver;
    }

    /**
     * C in 1e-4, 1e-3, ..., 1e2; 5 folds, repeated 3 times; seed 0; one thread; gradient tolerance 1e-6,
     * 1000 iterations.
     */
    public LinearProbe() {
        this(defaultGrid(), 5, 3, 0L, 1, new Lbfgs(10, 1e-6, 1e-10, 1000));
    }

    public static double[] defaultGrid() {
        return logGrid(1e-4, 1e2, 7);
    }

    /** {@code count} values from {@code from} to {@code to}, evenly spaced in log scale. */
    public static double[] logGrid(double from, double to, int count) {
        if (!(from > 0) || !(to >= from) || count < 1 || (count == 1 && from != to)) {
            throw new IllegalArgumentException("linear probe: grid from " + from + " to " + to + " in " + count
                    + " values");
        }
        double[] g = new double[count];
        double a = Math.log10(from);
        double b = Math.log10(to);
        for (int i = 0; i < count; i++) {
            g[i] = count == 1 ? from : Math.pow(10, a + (b - a) * i / (count - 1));
        }
        return g;
    }

    /** The candidate values of C, in any order; they are tried in ascending order. */
    public LinearProbe withGrid(double... cs) {
        double[] sorted = Arrays.stream(cs).sorted().distinct().toArray();
        if (sorted.length == 0 || !(sorted[0] > 0) || sorted[sorted.length - 1] == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("linear probe: grid " + Arrays.toString(cs)
                    + " must hold positive finite values");
        }
        return new LinearProbe(sorted, folds, repeats, seed, threads, solver);
    }

    public LinearProbe withFolds(int k) {
        if (k < 2) {
            throw new IllegalArgumentException("linear probe: " + k + " folds; at least 2");
        }
        return new LinearProbe(grid, k, repeats, seed, threads, solver);
    }

    /** How many times the rows are dealt into folds anew; the CV accuracy of a C averages over all. */
    public LinearProbe withRepeats(int r) {
        if (r < 1) {
            throw new IllegalArgumentException("linear probe: " + r + " repeats; at least 1");
        }
        return new LinearProbe(grid, folds, r, seed, threads, solver);
    }

    public LinearProbe withSeed(long s) {
        return new LinearProbe(grid, folds, repeats, s, threads, solver);
    }

    /** Threads per fit; the result is the same for any count. */
    public LinearProbe withThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("linear probe: " + n + " threads");
        }
        return new LinearProbe(grid, folds, repeats, seed, n, solver);
    }

    public LinearProbe withSolver(Lbfgs s) {
        return new LinearProbe(grid, folds, repeats, seed, threads, s);
    }

    public double[] grid() {
        return grid.clone();
    }

    public int folds() {
        return folds;
    }

    public int repeats() {
        return repeats;
    }

    /**
     * Fits rows {@code x} ([n, features] row-major) with labels in [0, classes).
     *
     * @return the probe on raw features
     */
    public LinearProbeResult fit(float[] x, int features, int[] labels, int classes) {
        LogisticRegression.checkData(x, features, labels, classes, null);
        Standardizer standardizer = Standardizer.fit(x, features);
        float[] z = standardizer.apply(x);

        int k = Math.min(folds, StratifiedFolds.smallestClass(labels, classes));
        Map<Double, Double> cv = new LinkedHashMap<>();
        double chosen = DEFAULT_C;
        LogisticRegression.Model start = null;
        float[] chosenOutOfFold = null;
        if (k >= 2) {
            double[] accuracy = new double[grid.length];
            float[][] outOfFold = new float[grid.length][labels.length * classes];
            LogisticRegression.Model[] firstFold = new LogisticRegression.Model[grid.length];
            int splits = k * repeats;
            for (int repeat = 0; repeat < repeats; repeat++) {
                int[] fold = StratifiedFolds.assign(labels, classes, k, seed + repeat);
                for (int f = 0; f < k; f++) {
                    int[] train = StratifiedFolds.rows(fold, f, false);
                    int[] held = StratifiedFolds.rows(fold, f, true);
                    LogisticRegression.Model warm = null;
                    for (int i = 0; i < grid.length; i++) {
                        warm = new LogisticRegression(grid[i], selectionSolver(), threads)
                                .fit(z, features, labels, classes, train, warm).model();
                        accuracy[i] += LogisticRegression.accuracy(warm, z, labels, held);
                        if (repeat == 0) {
                            for (int row : held) {
                                double[] scores = warm.logits(z, row * features);
                                for (int c = 0; c < classes; c++) {
                                    outOfFold[i][row * classes + c] = (float) scores[c];
                                }
                            }
                        }
                        if (repeat == 0 && f == 0) {
                            firstFold[i] = warm;
                        }
                    }
                }
            }
            for (int i = 0; i < grid.length; i++) {
                accuracy[i] /= splits;
            }
            int best = 0;
            for (int i = 0; i < grid.length; i++) {
                cv.put(grid[i], accuracy[i]);
                // Means of the same fold accuracies summed in another order differ in the last bits.
                if (accuracy[i] > accuracy[best] + 1e-12) {
                    best = i;
                }
            }
            chosen = grid[best];
            start = firstFold[best];
            chosenOutOfFold = outOfFold[best];
        } else {
            k = 0;
        }

        LogisticRegression.Fit fit = regression(chosen).fit(z, features, labels, classes, null, start);
        LogisticRegression.Model m = fit.model();
        LogisticRegression.Model raw = standardizer.fold(m);
        return new LinearProbeResult(classes, features, floats(raw.weight()), floats(raw.bias()),
                standardizer.mean(), standardizer.std(), chosen, Collections.unmodifiableMap(cv), k,
                fit.iterations(), fit.converged(), LogisticRegression.accuracy(m, z, labels, null),
                LogisticRegression.crossEntropy(m, z, labels, null), chosenOutOfFold);
    }

    /**
     * The solver for the cross-validation fits: scikit-learn's default tolerance (1e-4 on the
     * gradient of the mean loss), since choosing C needs held-out accuracies, not optima to the
     * last digit; the final fit uses the configured solver.
     */
    private Lbfgs selectionSolver() {
        return solver.withGradientTolerance(Math.max(CV_GRADIENT_TOLERANCE, solver.gradientTolerance()))
                .withMaxIterations(Math.min(CV_MAX_ITERATIONS, solver.maxIterations()));
    }

    private static final double CV_GRADIENT_TOLERANCE = 1e-4;
    private static final int CV_MAX_ITERATIONS = 300;

    private LogisticRegression regression(double c) {
        return new LogisticRegression(c, solver, threads);
    }

    private static float[] floats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "LinearProbe[C grid %s, %d folds x %d repeats, seed %d]",
                Arrays.toString(grid), folds, repeats, seed);
    }
}
