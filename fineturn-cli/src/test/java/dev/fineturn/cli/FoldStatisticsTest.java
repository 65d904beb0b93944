package dev.fineturn.cli;

import dev.fineturn.cli.report.FoldStatistics;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fold statistics against values worked out by hand and tabulated t quantiles. */
class FoldStatisticsTest {
    private static final double[] A = {0.80, 0.85, 0.78, 0.90, 0.82};
    private static final double[] B = {0.75, 0.80, 0.77, 0.85, 0.80};

    @Test
    void tQuantilesMatchTheTables() {
        assertEquals(12.7062047, FoldStatistics.tQuantile(0.975, 1), 1e-6);
        assertEquals(2.7764451, FoldStatistics.tQuantile(0.975, 4), 1e-6);
        assertEquals(2.2621572, FoldStatistics.tQuantile(0.975, 9), 1e-6);
    }

    @Test
    void meanStdAndConfidenceInterval() {
        // mean 4.15 / 5 = 0.83; squared deviations sum to 0.0088, so s = sqrt(0.0088 / 4) = 0.0469042;
        // half width = 2.7764451 * s / sqrt(5) = 0.0582392.
        FoldStatistics.Summary s = FoldStatistics.summarize(A);
        assertEquals(5, s.n());
        assertEquals(0.83, s.mean(), 1e-12);
        assertEquals(Math.sqrt(0.0088 / 4), s.std(), 1e-12);
        assertEquals(0.7717608, s.ciLow(), 1e-6);
        assertEquals(0.8882392, s.ciHigh(), 1e-6);
        assertEquals(0.0582392, s.halfWidth(), 1e-6);
        FoldStatistics.Summary one = FoldStatistics.summarize(new double[]{0.5});
        assertEquals(0.5, one.mean());
        assertTrue(Double.isNaN(one.std()) && Double.isNaN(one.ciLow()));
    }

    @Test
    void pairedTTestByHand() {
        // Differences 0.05 0.05 0.01 0.05 0.02: mean 0.036, s_d = sqrt(0.00152 / 4) = 0.0194936,
        // t = 0.036 / (s_d / sqrt 5) = 4.129483 with 4 degrees of freedom. For 4 degrees of freedom
        // the two-sided p-value is 1 - 1.5 x + 0.5 x^3 with x = t / sqrt(t^2 + 4), which is 0.0145.
        double t = 0.036 / (Math.sqrt(0.00152 / 4) / Math.sqrt(5));
        assertEquals(4.129483, t, 1e-6);
        double x = t / Math.sqrt(t * t + 4);
        double expected = 1 - 1.5 * x + 0.5 * x * x * x;
        assertEquals(0.0145, expected, 1e-6);
        assertEquals(expected, FoldStatistics.pairedPValue(A, B), 1e-9);
        assertEquals(expected, FoldStatistics.pairedPValue(B, A), 1e-9);
        assertEquals(1.0, FoldStatistics.pairedPValue(A, A.clone()));
        assertEquals(0.0, FoldStatistics.pairedPValue(A, new double[]{0.70, 0.75, 0.68, 0.80, 0.72}), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> FoldStatistics.pairedPValue(A, new double[]{0.1, 0.2}));
    }

    @Test
    void rankingSortsByMeanAndMarksWhatTheTestCannotSeparate() {
        Map<String, double[]> scores = new LinkedHashMap<>();
        scores.put("b", B);
        scores.put("same-as-a", A.clone());
        scores.put("a", A);
        // differences from A: -0.01 0.04 -0.03 0.01 -0.02 -> mean -0.002, far from separable
        scores.put("noisy", new double[]{0.79, 0.89, 0.75, 0.91, 0.80});
        List<FoldStatistics.Ranked> r = FoldStatistics.rank(scores);
        assertEquals(List.of("same-as-a", "a", "noisy", "b"), r.stream().map(FoldStatistics.Ranked::name).toList());
        for (int i = 0; i < r.size(); i++) {
            assertEquals(i + 1, r.get(i).rank());
            if (i > 0) {
                assertTrue(r.get(i).summary().mean() <= r.get(i - 1).summary().mean());
            }
        }
        assertTrue(r.get(0).best() && r.get(0).indistinguishable());
        assertFalse(r.get(1).best());
        assertTrue(r.get(1).indistinguishable(), "identical scores count as indistinguishable");
        assertEquals(1.0, r.get(1).pVsBest());
        assertTrue(r.get(2).indistinguishable() && r.get(2).pVsBest() > 0.5, "p = " + r.get(2).pVsBest());
        assertFalse(r.get(3).indistinguishable());
        assertEquals(0.0145, r.get(3).pVsBest(), 1e-6);
    }
}
