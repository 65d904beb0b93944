package dev.fineturn.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetsTest {
    /** Sample i has the single pixel value i. */
    static InMemoryDataset indexed(int n) {
        float[] pixels = new float[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            pixels[i] = i;
            labels[i] = i % 3;
        }
        return new InMemoryDataset(pixels, labels, new int[]{1, 1, 1}, 3);
    }

    private static void assertPartition(int n, int[] train, int[] validation) {
        int[] seen = new int[n];
        for (int i : train) {
            seen[i]++;
        }
        for (int i : validation) {
            seen[i]++;
        }
        int[] once = new int[n];
        Arrays.fill(once, 1);
        assertArrayEquals(once, seen);
    }

    @Test
    void subsetMapsIndicesAndRejectsBadOnes() {
        Subset s = indexed(5).subset(new int[]{4, 1});
        assertEquals(2, s.size());
        assertEquals(4f, s.get(0).pixels()[0]);
        assertEquals(1, s.get(1).label());
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> indexed(5).subset(new int[]{0, 5}));
        assertTrue(e.getMessage().contains("index 5 at position 1"), e.getMessage());
    }

    @Test
    void splitHoldsOutTheFractionAndPartitions() {
        Split s = Datasets.split(indexed(10), 0.3, 7);
        assertEquals(3, s.validation().size());
        assertEquals(7, s.train().size());
        assertPartition(10, s.train().indices(), s.validation().indices());
        for (int k = 0; k < s.validation().size(); k++) {
            assertEquals((float) s.validation().indices()[k], s.validation().get(k).pixels()[0]);
        }
    }

    @Test
    void splitIsSeeded() {
        InMemoryDataset d = indexed(50);
        assertArrayEquals(Datasets.split(d, 0.2, 1).validation().indices(),
                Datasets.split(d, 0.2, 1).validation().indices());
        assertFalse(Arrays.equals(Datasets.split(d, 0.2, 1).validation().indices(),
                Datasets.split(d, 0.2, 2).validation().indices()));
    }

    @Test
    void splitRejectsAnEmptySide() {
        assertThrows(IllegalArgumentException.class, () -> Datasets.split(indexed(3), 0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> Datasets.split(indexed(3), 1.0, 0));
    }

    @Test
    void kFoldPutsEverySampleInExactlyOneValidationFold() {
        int n = 11;
        List<Split> folds = Datasets.kFold(indexed(n), 3, 5);
        assertEquals(3, folds.size());
        int[] validationCount = new int[n];
        for (Split f : folds) {
            assertPartition(n, f.train().indices(), f.validation().indices());
            assertTrue(f.validation().size() == 3 || f.validation().size() == 4, "fold size " + f.validation().size());
            for (int i : f.validation().indices()) {
                validationCount[i]++;
            }
        }
        int[] once = new int[n];
        Arrays.fill(once, 1);
        assertArrayEquals(once, validationCount);
        assertThrows(IllegalArgumentException.class, () -> Datasets.kFold(indexed(3), 4, 0));
    }
}
