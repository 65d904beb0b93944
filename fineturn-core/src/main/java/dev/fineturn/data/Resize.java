package dev.fineturn.data;

import java.util.random.RandomGenerator;

/**
 * Bilinear resize to {@code height x width} with half-pixel centres and edge clamping, the
 * convention of PyTorch's {@code interpolate(mode="bilinear", align_corners=False)} without
 * antialiasing.
 */
public record Resize(int height, int width) implements Transform {
    public Resize {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("Resize: size " + height + "x" + width + " must be positive");
        }
    }

    @Override
    public Sample apply(Sample s, RandomGenerator random) {
        if (s.height() == height && s.width() == width) {
            return s;
        }
        return s.withPixels(bilinear(s.pixels(), s.channels(), s.height(), s.width(), height, width),
                s.channels(), height, width);
    }

    /** Resizes CHW {@code src} of {@code c x h x w} to {@code c x outH x outW}. */
    public static float[] bilinear(float[] src, int c, int h, int w, int outH, int outW) {
        int[] y0 = new int[outH];
        int[] y1 = new int[outH];
        float[] fy = new float[outH];
        sourceCoordinates(h, outH, y0, y1, fy);
        int[] x0 = new int[outW];
        int[] x1 = new int[outW];
        float[] fx = new float[outW];
        sourceCoordinates(w, outW, x0, x1, fx);
        float[] out = new float[c * outH * outW];
        for (int ch = 0; ch < c; ch++) {
            int plane = ch * h * w;
            int o = ch * outH * outW;
            for (int oy = 0; oy < outH; oy++) {
                int r0 = plane + y0[oy] * w;
                int r1 = plane + y1[oy] * w;
                float wy = fy[oy];
                for (int ox = 0; ox < outW; ox++) {
                    float wx = fx[ox];
                    float top = src[r0 + x0[ox]] + wx * (src[r0 + x1[ox]] - src[r0 + x0[ox]]);
                    float bottom = src[r1 + x0[ox]] + wx * (src[r1 + x1[ox]] - src[r1 + x0[ox]]);
                    out[o++] = top + wy * (bottom - top);
                }
            }
        }
        return out;
    }

    private static void sourceCoordinates(int in, int out, int[] lo, int[] hi, float[] frac) {
        double scale = (double) in / out;
        for (int i = 0; i < out; i++) {
            double s = Math.max((i + 0.5) * scale - 0.5, 0);
            int l = Math.min((int) s, in - 1);
            lo[i] = l;
            hi[i] = Math.min(l + 1, in - 1);
            frac[i] = (float) (s - l);
        }
    }
}
