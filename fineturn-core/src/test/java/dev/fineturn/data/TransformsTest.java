package dev.fineturn.data;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransformsTest {
    /** nextDouble() is 0 and nextInt(bound) is 0. */
    private static final RandomGenerator LOW = () -> 0L;
    /** nextDouble() is just below 1. */
    private static final RandomGenerator HIGH = () -> -1L;

    private static Sample image(int c, int h, int w, float... pixels) {
        return new Sample(pixels, c, h, w, 7);
    }

    @Test
    void resizeUpsamples2x2Bilinearly() {
        Sample out = new Resize(4, 4).apply(image(1, 2, 2, 0, 1, 2, 3), LOW);
        assertArrayEquals(new float[]{
                0.0f, 0.25f, 0.75f, 1.0f,
                0.5f, 0.75f, 1.25f, 1.5f,
                1.5f, 1.75f, 2.25f, 2.5f,
                2.0f, 2.25f, 2.75f, 3.0f}, out.pixels(), 1e-6f);
        assertArrayEquals(new int[]{1, 4, 4}, out.shape());
        assertEquals(7, out.label());
    }

    @Test
    void resizeDownsamplesByAveragingHalfPixelNeighbours() {
        float[] v = new float[16];
        for (int i = 0; i < 16; i++) {
            v[i] = i;
        }
        Sample out = new Resize(2, 2).apply(image(1, 4, 4, v), LOW);
        assertArrayEquals(new float[]{2.5f, 4.5f, 10.5f, 12.5f}, out.pixels(), 1e-6f);
    }

    @Test
    void resizeToANonSquareSizeKeepsChannelsApart() {
        Sample out = new Resize(1, 3).apply(image(2, 1, 2, 0, 3, 10, 10), LOW);
        // width 2 -> 3: source x = (i + 0.5) * 2/3 - 0.5 = -1/6 (clamped to 0), 1/2, 7/6 (clamped to 1)
        assertArrayEquals(new float[]{0, 1.5f, 3, 10, 10, 10}, out.pixels(), 1e-6f);
    }

    @Test
    void centerCropTakesTheMiddle() {
        float[] v = new float[16];
        for (int i = 0; i < 16; i++) {
            v[i] = i;
        }
        assertArrayEquals(new float[]{5, 6, 9, 10}, new CenterCrop(2, 2).apply(image(1, 4, 4, v), LOW).pixels());
        assertArrayEquals(new float[]{0, 1, 3, 4}, new CenterCrop(2, 2).apply(
                image(1, 3, 3, 0, 1, 2, 3, 4, 5, 6, 7, 8), LOW).pixels());
        assertThrows(IllegalArgumentException.class, () -> new CenterCrop(5, 1).apply(image(1, 4, 4, v), LOW));
    }

    @Test
    void randomCropWithPaddingAtTheLowestOffsetIncludesThePadding() {
        Sample out = new RandomCrop(2, 2, 1).apply(image(2, 2, 2, 1, 2, 3, 4, 5, 6, 7, 8), LOW);
        assertArrayEquals(new float[]{0, 0, 0, 1, 0, 0, 0, 5}, out.pixels());
    }

    @Test
    void randomCropVisitsEveryWindowAndOnlyWindows() {
        Sample in = image(1, 2, 2, 1, 2, 3, 4);
        float[][] padded = {{0, 0, 0, 0}, {0, 1, 2, 0}, {0, 3, 4, 0}, {0, 0, 0, 0}};
        Set<List<Float>> windows = new HashSet<>();
        for (int top = 0; top < 3; top++) {
            for (int left = 0; left < 3; left++) {
                windows.add(List.of(padded[top][left], padded[top][left + 1], padded[top + 1][left],
                        padded[top + 1][left + 1]));
            }
        }
        Set<List<Float>> seen = new HashSet<>();
        for (int seed = 0; seed < 300; seed++) {
            float[] p = new RandomCrop(2, 2, 1).apply(in, new SplittableRandom(seed)).pixels();
            List<Float> w = List.of(p[0], p[1], p[2], p[3]);
            assertTrue(windows.contains(w), "not a window: " + w);
            seen.add(w);
        }
        assertEquals(windows, seen);
    }

    @Test
    void horizontalFlipMirrorsEachRowOfEachChannel() {
        Sample in = image(2, 2, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        assertArrayEquals(new float[]{3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10},
                new RandomHorizontalFlip(0.5).apply(in, LOW).pixels());
        assertSame(in, new RandomHorizontalFlip(0.5).apply(in, HIGH));
        assertSame(in, new RandomHorizontalFlip(0).apply(in, LOW));
        assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, in.pixels());
    }

    @Test
    void grayscaleToRgbRepeatsTheChannel() {
        Sample out = new GrayscaleToRgb().apply(image(1, 1, 2, 0.25f, 0.5f), LOW);
        assertArrayEquals(new float[]{0.25f, 0.5f, 0.25f, 0.5f, 0.25f, 0.5f}, out.pixels());
        assertEquals(3, out.channels());
        assertThrows(IllegalArgumentException.class, () -> new GrayscaleToRgb().apply(image(2, 1, 1, 0, 0), LOW));
    }

    @Test
    void rgbToGrayscaleWeighsTheChannelsAsBt601() {
        // One pixel each of pure red, green and blue, then white: 0.299, 0.587, 0.114, 1.
        Sample out = new RgbToGrayscale().apply(image(3, 1, 4, 1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1), LOW);
        assertEquals(1, out.channels());
        assertArrayEquals(new float[]{0.299f, 0.587f, 0.114f, 1f}, out.pixels(), 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> new RgbToGrayscale().apply(image(2, 1, 1, 0, 0), LOW));
    }

    @Test
    void normalizeUsesPerChannelStatistics() {
        Sample in = image(3, 1, 1, 0.485f, 1f, 0f);
        float[] out = Normalize.imagenet().apply(in, LOW).pixels();
        assertEquals(0f, out[0], 1e-6f);
        assertEquals((1f - 0.456f) / 0.224f, out[1], 1e-6f);
        assertEquals(-0.406f / 0.225f, out[2], 1e-6f);
        float[] two = new Normalize(new float[]{1, 2}, new float[]{2, 4}).apply(image(2, 1, 2, 3, 5, 6, 10), LOW)
                .pixels();
        assertArrayEquals(new float[]{1, 2, 1, 2}, two);
        assertThrows(IllegalArgumentException.class, () -> Normalize.imagenet().apply(image(1, 1, 1, 0), LOW));
        assertThrows(IllegalArgumentException.class, () -> new Normalize(new float[]{0}, new float[]{0}));
    }

    @Test
    void composeAppliesInOrder() {
        Transform t = Compose.of(new RandomHorizontalFlip(1), new Normalize(new float[]{1}, new float[]{2}));
        assertArrayEquals(new float[]{1.5f, 0.5f, -0.5f}, t.apply(image(1, 1, 3, 0, 2, 4), LOW).pixels());
        Transform cropThenResize = new CenterCrop(1, 2).andThen(new Resize(1, 4));
        Sample out = cropThenResize.apply(image(1, 3, 2, 9, 9, 0, 4, 9, 9), LOW);
        assertArrayEquals(new float[]{0, 1, 3, 4}, out.pixels(), 1e-6f);
    }

    @Test
    void layoutsConvertBetweenNchwAndNhwc() {
        float[] nchw = {1, 2, 3, 10, 20, 30};
        float[] nhwc = Layouts.nchwToNhwc(nchw, 1, 2, 1, 3);
        assertArrayEquals(new float[]{1, 10, 2, 20, 3, 30}, nhwc);
        assertArrayEquals(nchw, Layouts.nhwcToNchw(nhwc, 1, 2, 1, 3));
        float[] batch = new float[2 * 3 * 2 * 2];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = i;
        }
        float[] t = Layouts.nchwToNhwc(batch, 2, 3, 2, 2);
        // sample 1, pixel (1, 0), channel 2 -> NCHW index 12 + 2*4 + 2 = 22; NHWC index 12 + 2*3 + 2 = 20
        assertEquals(22f, t[20]);
        assertArrayEquals(batch, Layouts.nhwcToNchw(t, 2, 3, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> Layouts.nchwToNhwc(batch, 2, 3, 2, 3));
    }
}
