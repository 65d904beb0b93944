package dev.fineturn.train.linear;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LbfgsTest {
    private static final Lbfgs TIGHT = new Lbfgs(10, 1e-10, 0, 10_000);

    /** The chained Rosenbrock function, minimal at (1, ..., 1). */
    static double rosenbrock(double[] x, double[] g) {
        Arrays.fill(g, 0);
        double f = 0;
        for (int i = 0; i + 1 < x.length; i++) {
            double a = x[i + 1] - x[i] * x[i];
            double b = 1 - x[i];
            f += 100 * a * a + b * b;
            g[i] += -400 * a * x[i] - 2 * b;
            g[i + 1] += 200 * a;
        }
        return f;
    }

    @Test
    void rosenbrockInTwoDimensionsReachesOnes() {
        Lbfgs.Result r = TIGHT.minimize(LbfgsTest::rosenbrock, new double[] {-1.2, 1});
        assertTrue(r.converged(), r.toString());
        assertArrayEquals(new double[] {1, 1}, r.x(), 1e-5);
        assertTrue(r.iterations() > 10, "from (-1.2, 1) the curved valley takes more than a few steps: " + r);
    }

    @Test
    void rosenbrockInTenDimensionsReachesOnes() {
        double[] x0 = new double[10];
        for (int i = 0; i < x0.length; i++) {
            x0[i] = i % 2 == 0 ? -1.2 : 1;
        }
        Lbfgs.Result r = TIGHT.minimize(LbfgsTest::rosenbrock, x0);
        assertTrue(r.converged(), r.toString());
        double[] ones = new double[10];
        Arrays.fill(ones, 1);
        assertArrayEquals(ones, r.x(), 1e-5);
        assertEquals(0, r.value(), 1e-18);
    }

    @Test
    void illConditionedQuadraticReachesItsClosedFormOptimum() {
        int n = 30;
        SplittableRandom random = new SplittableRandom(11);
        // A = Q diag(lambda) Q^T with eigenvalues from 1e-2 to 1e2, Q from Gram-Schmidt on random vectors.
        double[][] q = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                q[i][j] = random.nextGaussian();
            }
            for (int p = 0; p < i; p++) {
                double dot = Lbfgs.dot(q[i], q[p]);
                for (int j = 0; j < n; j++) {
                    q[i][j] -= dot * q[p][j];
                }
            }
            double norm = Math.sqrt(Lbfgs.dot(q[i], q[i]));
            for (int j = 0; j < n; j++) {
                q[i][j] /= norm;
            }
        }
        double[][] a = new double[n][n];
        double[] expected = new double[n];
        double[] b = new double[n];
        double[] coeff = new double[n];
        for (int p = 0; p < n; p++) {
            double lambda = Math.pow(10, -2 + 4.0 * p / (n - 1));
            coeff[p] = random.nextGaussian();
            for (int i = 0; i < n; i++) {
                // The optimum is sum_p coeff_p q_p, so b = A x* = sum_p lambda_p coeff_p q_p.
                expected[i] += coeff[p] * q[p][i];
                b[i] += lambda * coeff[p] * q[p][i];
                for (int j = 0; j < n; j++) {
                    a[i][j] += lambda * q[p][i] * q[p][j];
                }
            }
        }
        Objective quadratic = (x, g) -> {
            double f = 0;
            for (int i = 0; i < n; i++) {
                double ax = 0;
                for (int j = 0; j < n; j++) {
                    ax += a[i][j] * x[j];
                }
                g[i] = ax - b[i];
                f += 0.5 * x[i] * ax - b[i] * x[i];
            }
            return f;
        };
        Lbfgs.Result r = TIGHT.minimize(quadratic, new double[n]);
        assertTrue(r.converged(), r.toString());
        assertArrayEquals(expected, r.x(), 1e-7);
    }

    @Test
    void stopsUnconvergedAtTheIterationLimit() {
        Lbfgs.Result r = TIGHT.withMaxIterations(5).minimize(LbfgsTest::rosenbrock, new double[] {-1.2, 1});
        assertEquals(5, r.iterations());
        assertEquals(Lbfgs.Stop.MAX_ITERATIONS, r.stop());
        assertFalse(r.converged());
    }

    @Test
    void stopsOnRelativeDecrease() {
        Lbfgs loose = new Lbfgs(10, 0, 1e-3, 10_000);
        Lbfgs.Result r = loose.minimize(LbfgsTest::rosenbrock, new double[] {-1.2, 1});
        assertEquals(Lbfgs.Stop.RELATIVE_DECREASE, r.stop());
        assertTrue(r.converged());
    }

    @Test
    void cubicInterpolationFindsTheMinimumOfACubic() {
        // phi(a) = (a - 2)^2 (a + 1): phi(1) = 2, phi'(1) = -3, phi(3) = 4, phi'(3) = 9; local minimum at 2.
        assertEquals(2, WolfeLineSearch.cubicMinimum(1, 2, -3, 3, 4, 9), 1e-12);
    }
}
