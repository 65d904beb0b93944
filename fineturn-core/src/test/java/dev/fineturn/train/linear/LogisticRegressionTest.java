package dev.fineturn.train.linear;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogisticRegressionTest {
    static JsonNode fixture;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = LogisticRegressionTest.class.getResourceAsStream("/linear/logistic_regression.json")) {
            assertNotNull(in, "linear/logistic_regression.json missing from the test resources");
            fixture = new ObjectMapper().readTree(in);
        }
    }

    /** n rows of d features around k random class centres, with labels; feature scales differ. */
    record Data(float[] x, int[] labels, int d, int k) {
        static Data random(int n, int d, int k, double spread, long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            double[] centres = new double[k * d];
            for (int i = 0; i < centres.length; i++) {
                centres[i] = random.nextGaussian();
            }
            float[] x = new float[n * d];
            int[] labels = new int[n];
            for (int r = 0; r < n; r++) {
                labels[r] = r % k;
                for (int j = 0; j < d; j++) {
                    x[r * d + j] = (float) ((centres[labels[r] * d + j] + spread * random.nextGaussian()) * (1 + j % 3));
                }
            }
            return new Data(x, labels, d, k);
        }
    }

    static double maxAbs(double[] v) {
        double m = 0;
        for (double e : v) {
            m = Math.max(m, Math.abs(e));
        }
        return m;
    }

    @Test
    void gradientVanishesAtTheReturnedOptimum() {
        Data data = Data.random(300, 7, 4, 1.5, 1);
        LogisticRegression.Fit fit = new LogisticRegression(0.3).fit(data.x(), data.d(), data.labels(), data.k());
        assertTrue(fit.converged(), fit.solver().toString());
        try (SoftmaxLoss loss = new SoftmaxLoss(data.x(), data.d(), data.labels(), null, data.k(), 0.3, 1)) {
            double[] p = parameters(fit.model());
            double[] g = new double[p.length];
            double value = loss.valueAndGradient(p, g);
            assertTrue(maxAbs(g) < 1e-8, "gradient max-norm " + maxAbs(g));
            assertEquals(fit.objective(), value, 1e-15);
            // The starting point's objective is ln(k): every class equally likely.
            double[] g0 = new double[p.length];
            assertEquals(Math.log(4), loss.valueAndGradient(new double[p.length], g0), 1e-12);
            assertTrue(value < Math.log(4) - 0.1);
        }
    }

    @Test
    void gradientMatchesCentralDifferences() {
        Data data = Data.random(50, 6, 3, 1.0, 2);
        SplittableRandom random = new SplittableRandom(3);
        try (SoftmaxLoss loss = new SoftmaxLoss(data.x(), data.d(), data.labels(), null, data.k(), 0.7, 1)) {
            double[] p = new double[loss.parameterCount()];
            for (int i = 0; i < p.length; i++) {
                p[i] = random.nextGaussian();
            }
            double[] g = new double[p.length];
            loss.valueAndGradient(p, g);
            double[] scratch = new double[p.length];
            double h = 1e-5;
            for (int i = 0; i < p.length; i++) {
                double saved = p[i];
                p[i] = saved + h;
                double up = loss.valueAndGradient(p, scratch);
                p[i] = saved - h;
                double down = loss.valueAndGradient(p, scratch);
                p[i] = saved;
                double numeric = (up - down) / (2 * h);
                assertEquals(numeric, g[i], 1e-6 * Math.max(Math.abs(numeric), 1e-2), "parameter " + i);
            }
        }
    }

    @Test
    void matchesScikitLearnOnThreeClasses() {
        assertMatchesScikitLearn(fixtureCase("three_classes"));
    }

    @Test
    void matchesScikitLearnOnTwoClasses() {
        JsonNode c = fixtureCase("two_classes");
        assertEquals(2, c.get("k").asInt());
        assertMatchesScikitLearn(c);
    }

    static JsonNode fixtureCase(String name) {
        for (JsonNode c : fixture.get("cases")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no fixture case " + name);
    }

    static void assertMatchesScikitLearn(JsonNode c) {
        int d = c.get("d").asInt();
        int k = c.get("k").asInt();
        float[] x = new float[c.get("x").size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) c.get("x").get(i).asDouble();
        }
        int[] labels = new int[c.get("y").size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = c.get("y").get(i).asInt();
        }
        LogisticRegression.Fit fit = new LogisticRegression(c.get("C").asDouble()).fit(x, d, labels, k);
        assertTrue(fit.converged(), fit.solver().toString());
        double[] w = fit.model().weight();
        double[] b = fit.model().bias();
        // scikit-learn's own L-BFGS stops about 1e-4 short of the optimum; Newton's method polished it.
        assertArrayEquals(doubles(c.get("coef")), w, 1e-4);
        assertArrayEquals(doubles(c.get("intercept")), b, 1e-4);
        assertArrayEquals(doubles(c.get("coef_newton")), w, 1e-6);
        // Softmax ignores a shift shared by all biases; every solver here keeps their sum at zero.
        assertArrayEquals(centred(doubles(c.get("intercept_newton"))), b, 1e-6);
        assertEquals(0, sum(b), 1e-9);
        assertTrue(maxAbs(w) > 0.1, "the reference is not trivially zero");
    }

    static double[] doubles(JsonNode array) {
        double[] v = new double[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = array.get(i).asDouble();
        }
        return v;
    }

    static double sum(double[] v) {
        double s = 0;
        for (double e : v) {
            s += e;
        }
        return s;
    }

    static double[] centred(double[] v) {
        double mean = sum(v) / v.length;
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] - mean;
        }
        return out;
    }

    static double[] parameters(LogisticRegression.Model m) {
        double[] p = new double[m.weight().length + m.bias().length];
        System.arraycopy(m.weight(), 0, p, 0, m.weight().length);
        System.arraycopy(m.bias(), 0, p, m.weight().length, m.bias().length);
        return p;
    }

    @Test
    void twoClassesFitOneSeparatingDirection() {
        Data data = Data.random(200, 5, 2, 0.8, 4);
        LogisticRegression.Fit fit = new LogisticRegression(1.0).fit(data.x(), data.d(), data.labels(), 2);
        double[] w = fit.model().weight();
        for (int j = 0; j < 5; j++) {
            // The penalty makes the two rows opposite: their sum's gradient is lambda times the sum.
            assertEquals(-w[j], w[5 + j], 1e-7);
        }
        assertTrue(LogisticRegression.accuracy(fit.model(), data.x(), data.labels(), null) > 0.8);
    }

    @Test
    void threadsDoNotChangeTheResult() {
        Data data = Data.random(1500, 9, 3, 2.0, 5);
        Lbfgs solver = new Lbfgs().withGradientTolerance(1e-9);
        LogisticRegression.Fit one = new LogisticRegression(0.1, solver, 1).fit(data.x(), 9, data.labels(), 3);
        LogisticRegression.Fit two = new LogisticRegression(0.1, solver, 2).fit(data.x(), 9, data.labels(), 3);
        assertArrayEquals(one.model().weight(), two.model().weight(), 0);
        assertArrayEquals(one.model().bias(), two.model().bias(), 0);
        assertEquals(one.iterations(), two.iterations());
    }

    @Test
    void warmStartReachesTheColdOptimumInFewerIterations() {
        Data data = Data.random(400, 8, 3, 1.5, 6);
        LogisticRegression strong = new LogisticRegression(0.01);
        LogisticRegression weak = new LogisticRegression(0.02);
        LogisticRegression.Model previous = strong.fit(data.x(), 8, data.labels(), 3).model();
        LogisticRegression.Fit cold = weak.fit(data.x(), 8, data.labels(), 3);
        LogisticRegression.Fit warm = weak.fit(data.x(), 8, data.labels(), 3, null, previous);
        assertArrayEquals(cold.model().weight(), warm.model().weight(), 1e-6);
        assertTrue(warm.iterations() < cold.iterations(), warm.iterations() + " vs " + cold.iterations());
    }

    @Test
    void rowsSelectASubset() {
        Data data = Data.random(120, 4, 3, 1.0, 7);
        int[] rows = new int[60];
        float[] x = new float[60 * 4];
        int[] labels = new int[60];
        for (int i = 0; i < 60; i++) {
            rows[i] = 2 * i + 1;
            System.arraycopy(data.x(), rows[i] * 4, x, i * 4, 4);
            labels[i] = data.labels()[rows[i]];
        }
        LogisticRegression lr = new LogisticRegression(0.5);
        LogisticRegression.Fit subset = lr.fit(data.x(), 4, data.labels(), 3, rows, null);
        LogisticRegression.Fit copied = lr.fit(x, 4, labels, 3);
        assertArrayEquals(copied.model().weight(), subset.model().weight(), 1e-12);
    }
}
