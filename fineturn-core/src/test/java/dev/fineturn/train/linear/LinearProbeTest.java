package dev.fineturn.train.linear;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LinearProbeTest {
    record Data(float[] x, int[] labels, int d) {
    }

    /** Gaussian blobs around centres {@code separation} apart per coordinate, features offset and scaled. */
    static Data blobs(int n, int d, int k, double separation, long seed) {
        SplittableRandom centres = new SplittableRandom(seed);
        double[] mu = new double[k * d];
        for (int i = 0; i < mu.length; i++) {
            mu[i] = separation * centres.nextGaussian();
        }
        SplittableRandom random = new SplittableRandom(seed * 31 + n);
        float[] x = new float[n * d];
        int[] labels = new int[n];
        for (int r = 0; r < n; r++) {
            labels[r] = r % k;
            for (int j = 0; j < d; j++) {
                x[r * d + j] = (float) (50 + 10 * j + (1 + j % 4) * (mu[labels[r] * d + j] + random.nextGaussian()));
            }
        }
        return new Data(x, labels, d);
    }

    /**
     * Two classes as far apart as the noise: the means differ by 0.3 in each of 60 features, with 60
     * training rows, so the weakly regularised fit nearly interpolates the noise.
     */
    static Data noisyHighDimensional() {
        int n = 60;
        int d = 60;
        SplittableRandom random = new SplittableRandom(17);
        float[] x = new float[n * d];
        int[] labels = new int[n];
        for (int r = 0; r < n; r++) {
            labels[r] = r % 2;
            for (int j = 0; j < d; j++) {
                x[r * d + j] = (float) ((labels[r] == 0 ? -0.15 : 0.15) + random.nextGaussian());
            }
        }
        return new Data(x, labels, d);
    }

    /**
     * Two classes told apart only by x0 - x1, where a shared nuisance of deviation 5 swamps the signal in
     * x0 alone: the class-mean direction that strong regularisation leans towards sees mostly nuisance.
     */
    static Data cleanCorrelated() {
        int n = 300;
        int d = 4;
        SplittableRandom random = new SplittableRandom(23);
        float[] x = new float[n * d];
        int[] labels = new int[n];
        for (int r = 0; r < n; r++) {
            labels[r] = r % 2;
            double signal = (labels[r] == 0 ? -1 : 1) + 0.1 * random.nextGaussian();
            double nuisance = 5 * random.nextGaussian();
            x[r * d] = (float) (signal + nuisance);
            x[r * d + 1] = (float) nuisance;
            x[r * d + 2] = (float) random.nextGaussian();
            x[r * d + 3] = (float) random.nextGaussian();
        }
        return new Data(x, labels, d);
    }

    @Test
    void foldedModelScoresRawRowsAsTheStandardisedModelScoresStandardisedRows() {
        Data data = blobs(50, 6, 3, 1.0, 1);
        Standardizer s = Standardizer.fit(data.x(), 6);
        SplittableRandom random = new SplittableRandom(2);
        double[] w = new double[18];
        double[] b = new double[3];
        for (int i = 0; i < w.length; i++) {
            w[i] = random.nextGaussian();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = random.nextGaussian();
        }
        LogisticRegression.Model standardised = new LogisticRegression.Model(3, 6, w, b);
        LogisticRegression.Model raw = s.fold(standardised);
        float[] z = s.apply(data.x());
        for (int r = 0; r < 50; r++) {
            double[] expected = standardised.logits(z, r * 6);
            double[] actual = raw.logits(data.x(), r * 6);
            assertArrayEquals(expected, actual, 1e-4, "row " + r);
            assertEquals(standardised.predict(z, r * 6), raw.predict(data.x(), r * 6));
        }
        // Standardising centres each feature, so the folded bias is not the standardised one.
        assertTrue(Math.abs(raw.bias()[0] - b[0]) > 1);
    }

    @Test
    void probeResultAppliesToRawFeatures() {
        Data data = blobs(90, 5, 3, 0.7, 3);
        LinearProbeResult result = new LinearProbe().fit(data.x(), 5, data.labels(), 3);
        assertEquals(result.trainAccuracy(), result.accuracy(data.x(), data.labels()), 1.0 / 90 + 1e-12);
        assertEquals(15, result.weight().length);
        assertEquals(5, result.mean().length);
        // A feature's mean is 50 + 10 j plus a class shift, so the folded mean must be in that range.
        assertEquals(50 + 10 * 4, result.mean()[4], 5);
        assertTrue(result.trainAccuracy() > 0.7, result.toString());
    }

    @Test
    void noisyHighDimensionalDataGetsStrongerRegularisationThanCleanData() {
        Data noisy = noisyHighDimensional();
        Data clean = cleanCorrelated();
        LinearProbeResult onNoisy = new LinearProbe().fit(noisy.x(), noisy.d(), noisy.labels(), 2);
        LinearProbeResult onClean = new LinearProbe().fit(clean.x(), clean.d(), clean.labels(), 2);
        assertTrue(onNoisy.c() < onClean.c(), onNoisy + " " + onNoisy.cvAccuracy() + " vs " + onClean + " "
                + onClean.cvAccuracy());
        List<Double> noisyCurve = List.copyOf(onNoisy.cvAccuracy().values());
        List<Double> cleanCurve = List.copyOf(onClean.cvAccuracy().values());
        assertTrue(noisyCurve.getFirst() > noisyCurve.getLast() + 0.025, noisyCurve.toString());
        assertTrue(cleanCurve.getLast() > cleanCurve.getFirst() + 0.2, cleanCurve.toString());
        assertTrue(onNoisy.c() <= 1e-2 && onClean.c() >= 1e-1, onNoisy + " vs " + onClean);
        assertTrue(onClean.chosenCvAccuracy() > 0.95, onClean.toString());
    }

    @Test
    void separableBlobsAreClassifiedOnHeldOutRows() {
        Data train = blobs(200, 20, 4, 3.0, 5);
        Data test = blobs(400, 20, 4, 3.0, 5);
        LinearProbeResult result = new LinearProbe().fit(train.x(), 20, train.labels(), 4);
        assertTrue(result.accuracy(test.x(), test.labels()) >= 0.99, result.toString());
        assertEquals(5, result.folds());
        assertEquals(7, result.cvAccuracy().size());
        assertTrue(result.converged(), result.toString());
    }

    @Test
    void foldsShrinkToTheSmallestClassAndVanishBelowTwo() {
        Data data = blobs(23, 3, 3, 1.0, 7);
        int[] labels = new int[23];
        for (int r = 0; r < 23; r++) {
            labels[r] = r < 3 ? 0 : 1 + r % 2;
        }
        LinearProbeResult three = new LinearProbe().fit(data.x(), 3, labels, 3);
        assertEquals(3, three.folds());
        labels[1] = 1;
        labels[2] = 2;
        LinearProbeResult none = new LinearProbe().fit(data.x(), 3, labels, 3);
        assertEquals(0, none.folds());
        assertEquals(LinearProbe.DEFAULT_C, none.c());
        assertTrue(none.cvAccuracy().isEmpty());
        assertTrue(none.toString().contains("no cross-validation"), none.toString());
    }

    @Test
    void tiesGoToTheStrongestRegularisation() {
        Data data = blobs(60, 4, 2, 6.0, 9);
        LinearProbeResult result = new LinearProbe().withGrid(100, 1, 0.01).fit(data.x(), 4, data.labels(), 2);
        assertEquals(List.of(0.01, 1.0, 100.0), List.copyOf(result.cvAccuracy().keySet()));
        assertEquals(1.0, result.cvAccuracy().get(0.01), "well-separated blobs: every C is perfect");
        assertEquals(0.01, result.c());
    }

    @Test
    void resultIsDeterministicAndIndependentOfThreads() {
        Data data = blobs(700, 8, 3, 0.5, 11);
        LinearProbeResult one = new LinearProbe().withSeed(4).fit(data.x(), 8, data.labels(), 3);
        LinearProbeResult two = new LinearProbe().withSeed(4).withThreads(2).fit(data.x(), 8, data.labels(), 3);
        assertArrayEquals(one.weight(), two.weight());
        assertArrayEquals(one.bias(), two.bias());
        assertEquals(one.cvAccuracy(), two.cvAccuracy());
    }

    @Test
    void stratifiedFoldsSpreadEachClassEvenly() {
        int[] labels = new int[103];
        for (int r = 0; r < labels.length; r++) {
            labels[r] = r < 50 ? 0 : r < 90 ? 1 : 2;
        }
        int[] fold = StratifiedFolds.assign(labels, 3, 5, 42);
        int[][] counts = new int[5][3];
        for (int r = 0; r < labels.length; r++) {
            counts[fold[r]][labels[r]]++;
        }
        for (int f = 0; f < 5; f++) {
            assertEquals(10, counts[f][0]);
            assertEquals(8, counts[f][1]);
            assertTrue(counts[f][2] == 2 || counts[f][2] == 3, "fold " + f);
            int size = StratifiedFolds.rows(fold, f, true).length;
            assertTrue(size == 20 || size == 21, "fold " + f + " has " + size);
            assertEquals(103 - size, StratifiedFolds.rows(fold, f, false).length);
        }
        assertArrayEquals(fold, StratifiedFolds.assign(labels, 3, 5, 42));
        assertTrue(!Arrays.equals(fold, StratifiedFolds.assign(labels, 3, 5, 43)));
    }

    @Test
    void standardizerUsesThePopulationDeviationAndLeavesConstantsUnscaled() {
        float[] x = {1, 5, 3, 5, 5, 5};
        Standardizer s = Standardizer.fit(x, 2);
        assertArrayEquals(new double[] {3, 5}, s.mean(), 1e-12);
        assertArrayEquals(new double[] {Math.sqrt(8.0 / 3), 1}, s.std(), 1e-12);
        assertArrayEquals(new float[] {(float) (-2 / Math.sqrt(8.0 / 3)), 0, 0, 0, (float) (2 / Math.sqrt(8.0 / 3)), 0},
                s.apply(x), 1e-6f);
    }

    @Test
    void repeatedFoldsAverageTheAccuracyOfEachRepeatsSplit() {
        Data data = blobs(120, 8, 3, 0.6, 11);
        LinearProbe base = new LinearProbe().withSeed(40);
        LinearProbeResult repeated = base.withRepeats(3).fit(data.x(), 8, data.labels(), 3);
        double[] sum = new double[base.grid().length];
        for (int r = 0; r < 3; r++) {
            LinearProbeResult single = base.withRepeats(1).withSeed(40 + r).fit(data.x(), 8, data.labels(), 3);
            int i = 0;
            for (double acc : single.cvAccuracy().values()) {
                sum[i++] += acc / 3;
            }
        }
        int i = 0;
        for (double acc : repeated.cvAccuracy().values()) {
            assertEquals(sum[i++], acc, 1e-9, repeated.cvAccuracy().toString());
        }
        double best = repeated.cvAccuracy().values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        assertEquals(best, repeated.chosenCvAccuracy(), 1e-12);
        assertEquals(3, new LinearProbe().repeats());
    }
}
