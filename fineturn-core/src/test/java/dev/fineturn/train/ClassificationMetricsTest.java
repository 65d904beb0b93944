package dev.fineturn.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ClassificationMetricsTest {
    @Test
    void confusionPrecisionRecallAndTopK() {
        ClassificationMetrics.Accumulator acc = new ClassificationMetrics.Accumulator(3);
        // predictions: 0, 1, 1, 2 for labels 0, 0, 1, 2
        acc.add(new float[]{
                5, 1, 0,
                1, 3, 2,
                0, 9, 1,
                0, 1, 8}, new int[]{0, 0, 1, 2}, 0.5);
        acc.add(new float[]{0, 2, 1}, new int[]{2}, 1.0); // predicted 1, label 2 ranked second
        ClassificationMetrics m = acc.result();
        assertArrayEquals(new long[]{1, 1, 0}, m.confusion()[0]);
        assertArrayEquals(new long[]{0, 1, 0}, m.confusion()[1]);
        assertArrayEquals(new long[]{0, 1, 1}, m.confusion()[2]);
        assertEquals(3.0 / 5, m.top1(), 1e-12);
        assertEquals(1.0, m.top5(), 1e-12);
        assertEquals(1.0, m.precision()[0], 1e-12);
        assertEquals(1.0 / 3, m.precision()[1], 1e-12);
        assertEquals(0.5, m.recall()[0], 1e-12);
        assertEquals(0.5, m.recall()[2], 1e-12);
        assertEquals(2 * (1.0 / 3) / (1.0 / 3 + 1), m.f1()[1], 1e-12);
        assertEquals((0.5 * 4 + 1.0) / 5, m.loss(), 1e-12);
    }
}
