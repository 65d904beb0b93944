package dev.fineturn.data;

import java.util.random.RandomGenerator;

/**
 * Luminance {@code 0.299 R + 0.587 G + 0.114 B} (ITU-R BT.601, as PIL's {@code convert("L")} and
 * torchvision's {@code Grayscale}); single-channel images pass through unchanged.
 */
public record RgbToGrayscale() implements Transform {
    @Override
    public Sample apply(Sample s, RandomGenerator random) {
        if (s.channels() == 1) {
            return s;
        }
        if (s.channels() != 3) {
            throw new IllegalArgumentException("RgbToGrayscale: expected 1 or 3 channels, got " + s.channels());
        }
        int plane = s.height() * s.width();
        float[] p = s.pixels();
        float[] out = new float[plane];
        for (int i = 0; i < plane; i++) {
            out[i] = 0.299f * p[i] + 0.587f * p[plane + i] + 0.114f * p[2 * plane + i];
        }
        return s.withPixels(out, 1, s.height(), s.width());
    }
}
