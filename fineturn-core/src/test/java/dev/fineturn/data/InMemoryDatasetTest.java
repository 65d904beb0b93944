package dev.fineturn.data;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InMemoryDatasetTest {
    private static final int[] SHAPE = {1, 1, 2};

    @Test
    void getReturnsTheSampleSliceAndLabel() {
        InMemoryDataset d = new InMemoryDataset(new float[]{1, 2, 3, 4, 5, 6}, new int[]{2, 0, 1}, SHAPE, 3);
        Sample s = d.get(1);
        assertArrayEquals(new float[]{3, 4}, s.pixels());
        assertEquals(0, s.label());
        assertArrayEquals(new int[]{1, 1, 2}, s.shape());
        assertEquals(3, d.size());
        assertEquals(List.of("0", "1", "2"), d.classNames());
    }

    @Test
    void getReturnsACopy() {
        float[] pixels = {1, 2, 3, 4};
        InMemoryDataset d = new InMemoryDataset(pixels, new int[]{0, 1}, SHAPE, 2);
        d.get(0).pixels()[0] = 99;
        assertEquals(1f, d.get(0).pixels()[0]);
    }

    @Test
    void labelOutOfRangeNamesTheIndexAndLabel() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new InMemoryDataset(new float[6], new int[]{0, 1, 5}, SHAPE, 3));
        assertTrue(e.getMessage().contains("sample 2"), e.getMessage());
        assertTrue(e.getMessage().contains("label 5"), e.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> InMemoryDataset.withInferredClasses(new float[4], new int[]{0, -1}, SHAPE));
        assertTrue(negative.getMessage().contains("sample 1") && negative.getMessage().contains("-1"),
                negative.getMessage());
    }

    @Test
    void pixelCountMustMatchSamples() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new InMemoryDataset(new float[5], new int[]{0, 1, 0}, SHAPE, 2));
        assertTrue(e.getMessage().contains("5 pixels"), e.getMessage());
    }

    @Test
    void numClassesIsInferredOrNamed() {
        InMemoryDataset d = InMemoryDataset.withInferredClasses(new float[6], new int[]{0, 4, 2}, SHAPE);
        assertEquals(5, d.numClasses());
        InMemoryDataset named = d.withClassNames(List.of("a", "b", "c", "d", "e", "f"));
        assertEquals(6, named.numClasses());
        assertEquals("f", named.classNames().get(5));
        assertThrows(IllegalArgumentException.class, () -> d.withClassNames(List.of("a", "b")));
    }
}
