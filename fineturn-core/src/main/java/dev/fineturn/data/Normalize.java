package dev.fineturn.data;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/** Per channel {@code (x - mean[c]) / std[c]}. */
public final class Normalize implements Transform {
    private final float[] mean;
    private final float[] std;

    public Normalize(float[] mean, float[] std) {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("Normalize: " + mean.length + " means and " + std.length
                    + " standard deviations; need one of each per channel");
        }
        for (float s : std) {
            if (!(s > 0) || !Float.isFinite(s)) {
                throw new IllegalArgumentException("Normalize: standard deviation " + s + " must be positive");
            }
        }
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /** The ImageNet statistics that torchvision's pretrained models expect. */
    public static Normalize imagenet() {
        return new Normalize(new float[]{0.485f, 0.456f, 0.406f}, new float[]{0.229f, 0.224f, 0.225f});
    }

    public float[] mean() {
        return mean.clone();
    }

    public float[] std() {
        return std.clone();
    }

    @Override
    public Sample apply(Sample s, RandomGenerator random) {
        if (s.channels() != mean.length) {
            throw new IllegalArgumentException("Normalize: statistics for " + mean.length + " channels, image has "
                    + s.channels());
        }
        int plane = s.height() * s.width();
        float[] src = s.pixels();
        float[] out = new float[src.length];
        for (int c = 0; c < mean.length; c++) {
            float m = mean[c];
            float d = std[c];
            for (int i = c * plane; i < (c + 1) * plane; i++) {
                out[i] = (src[i] - m) / d;
            }
        }
        return s.withPixels(out, s.channels(), s.height(), s.width());
    }

    @Override
    public String toString() {
        return "Normalize[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
