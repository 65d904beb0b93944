package dev.fineturn.data;

import java.util.random.RandomGenerator;

/** Repeats a single channel three times; three-channel images pass through unchanged. */
public record GrayscaleToRgb() implements Transform {
    @Override
    public Sample apply(Sample s, RandomGenerator random) {
        if (s.channels() == 3) {
            return s;
        }
        if (s.channels() != 1) {
            throw new IllegalArgumentException("GrayscaleToRgb: expected 1 or 3 channels, got " + s.channels());
        }
        int plane = s.height() * s.width();
        float[] out = new float[3 * plane];
        for (int c = 0; c < 3; c++) {
            System.arraycopy(s.pixels(), 0, out, c * plane, plane);
        }
        return s.withPixels(out, 3, s.height(), s.width());
    }
}
