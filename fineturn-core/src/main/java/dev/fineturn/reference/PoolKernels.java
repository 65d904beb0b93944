package dev.fineturn.reference;

import dev.fineturn.spi.PoolGeometry;

/** Max and average pooling with PyTorch's window and divisor rules. */
public final class PoolKernels {
    private PoolKernels() {
    }

    public static void maxForward(PoolGeometry g, float[] x, float[] y) {
        int oh = g.outH();
        int ow = g.outW();
        for (int p = 0; p < g.batch() * g.channels(); p++) {
            int xb = p * g.inH() * g.inW();
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    y[(p * oh + oy) * ow + ox] = x[xb + argmax(g, x, xb, oy, ox)];
                }
            }
        }
    }

    public static void maxBackward(PoolGeometry g, float[] x, float[] dy, float[] dx) {
        int oh = g.outH();
        int ow = g.outW();
        java.util.Arrays.fill(dx, 0, g.batch() * g.channels() * g.inH() * g.inW(), 0f);
        for (int p = 0; p < g.batch() * g.channels(); p++) {
            int xb = p * g.inH() * g.inW();
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    dx[xb + argmax(g, x, xb, oy, ox)] += dy[(p * oh + oy) * ow + ox];
                }
            }
        }
    }

    /** Offset within the plane of the first maximum in the window (row-major scan); NaN wins. */
    private static int argmax(PoolGeometry g, float[] x, int xb, int oy, int ox) {
        int y0 = oy * g.strideH() - g.padTop();
        int x0 = ox * g.strideW() - g.padLeft();
        int best = -1;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int iy = Math.max(y0, 0); iy < Math.min(y0 + g.kernelH(), g.inH()); iy++) {
            for (int ix = Math.max(x0, 0); ix < Math.min(x0 + g.kernelW(), g.inW()); ix++) {
                float v = x[xb + iy * g.inW() + ix];
                if (best < 0 || v > bestValue || Float.isNaN(v) && !Float.isNaN(bestValue)) {
                    best = iy * g.inW() + ix;
                    bestValue = v;
                }
            }
        }
        return best;
    }

    public static void avgForward(PoolGeometry g, float[] x, float[] y) {
        int oh = g.outH();
        int ow = g.outW();
        for (int p = 0; p < g.batch() * g.channels(); p++) {
            int xb = p * g.inH() * g.inW();
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int y0 = oy * g.strideH() - g.padTop();
                    int x0 = ox * g.strideW() - g.padLeft();
                    double sum = 0;
                    for (int iy = Math.max(y0, 0); iy < Math.min(y0 + g.kernelH(), g.inH()); iy++) {
                        for (int ix = Math.max(x0, 0); ix < Math.min(x0 + g.kernelW(), g.inW()); ix++) {
                            sum += x[xb + iy * g.inW() + ix];
                        }
                    }
                    y[(p * oh + oy) * ow + ox] = (float) (sum / divisor(g, y0, x0));
                }
            }
        }
    }

    public static void avgBackward(PoolGeometry g, float[] dy, float[] dx) {
        int oh = g.outH();
        int ow = g.outW();
        java.util.Arrays.fill(dx, 0, g.batch() * g.channels() * g.inH() * g.inW(), 0f);
        for (int p = 0; p < g.batch() * g.channels(); p++) {
            int xb = p * g.inH() * g.inW();
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int y0 = oy * g.strideH() - g.padTop();
                    int x0 = ox * g.strideW() - g.padLeft();
                    float d = dy[(p * oh + oy) * ow + ox] / divisor(g, y0, x0);
                    for (int iy = Math.max(y0, 0); iy < Math.min(y0 + g.kernelH(), g.inH()); iy++) {
                        for (int ix = Math.max(x0, 0); ix < Math.min(x0 + g.kernelW(), g.inW()); ix++) {
                            dx[xb + iy * g.inW() + ix] += d;
                        }
                    }
                }
            }
        }
    }

    /** PyTorch: with count_include_pad the window is clipped to the padded input, else to the input. */
    public static int divisor(PoolGeometry g, int y0, int x0) {
        if (g.countIncludePad()) {
            int y1 = Math.min(y0 + g.kernelH(), g.inH() + g.padBottom());
            int x1 = Math.min(x0 + g.kernelW(), g.inW() + g.padRight());
            return (y1 - y0) * (x1 - x0);
        }
        int y1 = Math.min(y0 + g.kernelH(), g.inH());
        int x1 = Math.min(x0 + g.kernelW(), g.inW());
        return Math.max(1, (y1 - Math.max(y0, 0)) * (x1 - Math.max(x0, 0)));
    }
}
