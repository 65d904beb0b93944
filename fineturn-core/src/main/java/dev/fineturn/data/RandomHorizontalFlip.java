package dev.fineturn.data;

import java.util.random.RandomGenerator;

/** Mirrors the image left-right with probability {@code p}. */
public record RandomHorizontalFlip(double p) implements Transform {
    public RandomHorizontalFlip {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("RandomHorizontalFlip: probability " + p + " is not in [0, 1]");
        }
    }

    public RandomHorizontalFlip() {
        this(0.5);
    }

    @Override
    public Sample apply(Sample s, RandomGenerator random) {
        if (random.nextDouble() >= p) {
            return s;
        }
        return s.withPixels(flip(s.pixels(), s.channels() * s.height(), s.width()), s.channels(), s.height(),
                s.width());
    }

    /** Reverses each of {@code rows} rows of {@code width} values. */
    public static float[] flip(float[] src, int rows, int width) {
        float[] out = new float[src.length];
        for (int r = 0; r < rows; r++) {
            int base = r * width;
            for (int x = 0; x < width; x++) {
                out[base + x] = src[base + width - 1 - x];
            }
        }
        return out;
    }
}
