package dev.fineturn.data;

/**
 * Converts image batches between NCHW (channel planes) and NHWC (interleaved channels). Both
 * directions take the logical sizes in the order n, c, h, w.
 */
public final class Layouts {
    private Layouts() {
    }

    public static float[] nchwToNhwc(float[] src, int n, int c, int h, int w) {
        check("nchwToNhwc", src, n, c, h, w);
        float[] out = new float[src.length];
        int plane = h * w;
        for (int b = 0; b < n; b++) {
            int base = b * c * plane;
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < plane; p++) {
                    out[base + p * c + ch] = src[base + ch * plane + p];
                }
            }
        }
        return out;
    }

    public static float[] nhwcToNchw(float[] src, int n, int c, int h, int w) {
        check("nhwcToNchw", src, n, c, h, w);
        float[] out = new float[src.length];
        int plane = h * w;
        for (int b = 0; b < n; b++) {
            int base = b * c * plane;
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < plane; p++) {
                    out[base + ch * plane + p] = src[base + p * c + ch];
                }
            }
        }
        return out;
    }

    private static void check(String op, float[] src, int n, int c, int h, int w) {
        if (n < 0 || c < 0 || h < 0 || w < 0 || (long) n * c * h * w != src.length) {
            throw new IllegalArgumentException(op + ": " + src.length + " values are not n=" + n + " c=" + c + " h="
                    + h + " w=" + w);
        }
    }
}
