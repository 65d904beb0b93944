package dev.fineturn.cpu;

import dev.fineturn.spi.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Depthwise convolution of any kernel size, stride, padding and dilation ({@link Depthwise3x3} takes the 3x3 kernels
 * at stride 1 and 2): one tap at a time over a whole channel plane, a vector of adjacent output columns at a time at
 * stride 1 and one column at a time otherwise. The weight gradient sums each tap's products per output row in
 * float and the rows in double.
 */
final class DepthwiseGeneric {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private DepthwiseGeneric() {
    }

    /** Output plane {@code plane} (image n, channel c at n * channels + c) of the forward convolution. */
    static void forward(ConvGeometry g, int plane, float[] x, float[] w, float[] y) {
        int c = plane % g.inChannels();
        int oh = g.outH();
        int ow = g.outW();
        int xb = plane * g.inH() * g.inW();
        int yb = plane * oh * ow;
        int wb = c * g.kernelH() * g.kernelW();
        java.util.Arrays.fill(y, yb, yb + oh * ow, 0f);
        for (int ky = 0; ky < g.kernelH(); ky++) {
            for (int kx = 0; kx < g.kernelW(); kx++) {
                float wv = w[wb + ky * g.kernelW() + kx];
                int ix0 = -g.padLeft() + kx * g.dilationW();
                int oxLo = Math.max(0, ceilDiv(-ix0, g.strideW()));
                int oxHi = Math.min(ow, ceilDiv(g.inW() - ix0, g.strideW()));
                for (int oy = 0; oy < oh; oy++) {
                    int iy = oy * g.strideH() - g.padTop() + ky * g.dilationH();
                    if (iy < 0 || iy >= g.inH()) {
                        continue;
                    }
                    int xr = xb + iy * g.inW() + ix0;
                    int yr = yb + oy * ow;
                    int ox = oxLo;
                    if (g.strideW() == 1) {
                        FloatVector wvv = FloatVector.broadcast(S, wv);
                        for (; ox <= oxHi - L; ox += L) {
                            FloatVector.fromArray(S, x, xr + ox).fma(wvv, FloatVector.fromArray(S, y, yr + ox))
                                    .intoArray(y, yr + ox);
                        }
                    }
                    for (; ox < oxHi; ox++) {
                        y[yr + ox] += wv * x[xr + ox * g.strideW()];
                    }
                }
            }
        }
    }

    /** Input-gradient plane {@code plane}: zeroed, then every tap's contribution added. */
    static void backwardData(ConvGeometry g, int plane, float[] dy, float[] w, float[] dx) {
        int c = plane % g.inChannels();
        int oh = g.outH();
        int ow = g.outW();
        int xb = plane * g.inH() * g.inW();
        int yb = plane * oh * ow;
        int wb = c * g.kernelH() * g.kernelW();
        java.util.Arrays.fill(dx, xb, xb + g.inH() * g.inW(), 0f);
        for (int ky = 0; ky < g.kernelH(); ky++) {
            for (int kx = 0; kx < g.kernelW(); kx++) {
                float wv = w[wb + ky * g.kernelW() + kx];
                int ix0 = -g.padLeft() + kx * g.dilationW();
                int oxLo = Math.max(0, ceilDiv(-ix0, g.strideW()));
                int oxHi = Math.min(ow, ceilDiv(g.inW() - ix0, g.strideW()));
                for (int oy = 0; oy < oh; oy++) {
                    int iy = oy * g.strideH() - g.padTop() + ky * g.dilationH();
                    if (iy < 0 || iy >= g.inH()) {
                        continue;
                    }
                    int xr = xb + iy * g.inW() + ix0;
                    int yr = yb + oy * ow;
                    int ox = oxLo;
                    if (g.strideW() == 1) {
                        FloatVector wvv = FloatVector.broadcast(S, wv);
                        for (; ox <= oxHi - L; ox += L) {
                            FloatVector.fromArray(S, dy, yr + ox).fma(wvv, FloatVector.fromArray(S, dx, xr + ox))
                                    .intoArray(dx, xr + ox);
                        }
                    }
                    for (; ox < oxHi; ox++) {
                        dx[xr + ox * g.strideW()] += wv * dy[yr + ox];
                    }
                }
            }
        }
    }

    /** The weight gradient of channel {@code c}, summed over the batch. */
    static void backwardWeights(ConvGeometry g, int c, float[] x, float[] dy, float[] dw) {
        int oh = g.outH();
        int ow = g.outW();
        int wb = c * g.kernelH() * g.kernelW();
        for (int ky = 0; ky < g.kernelH(); ky++) {
            for (int kx = 0; kx < g.kernelW(); kx++) {
                int ix0 = -g.padLeft() + kx * g.dilationW();
                int oxLo = Math.max(0, ceilDiv(-ix0, g.strideW()));
                int oxHi = Math.min(ow, ceilDiv(g.inW() - ix0, g.strideW()));
                double sum = 0;
                for (int n = 0; n < g.batch(); n++) {
                    int plane = n * g.inChannels() + c;
                    int xb = plane * g.inH() * g.inW();
                    int yb = plane * oh * ow;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * g.strideH() - g.padTop() + ky * g.dilationH();
                        if (iy < 0 || iy >= g.inH()) {
                            continue;
                        }
                        int xr = xb + iy * g.inW() + ix0;
                        int yr = yb + oy * ow;
                        float s = 0f;
                        int ox = oxLo;
                        if (g.strideW() == 1 && oxHi - oxLo >= L) {
                            FloatVector acc = FloatVector.zero(S);
                            for (; ox <= oxHi - L; ox += L) {
                                acc = FloatVector.fromArray(S, dy, yr + ox).fma(FloatVector.fromArray(S, x, xr + ox),
                                        acc);
                            }
                            s = VectorMath.sumLanes(acc);
                        }
                        for (; ox < oxHi; ox++) {
                            s += dy[yr + ox] * x[xr + ox * g.strideW()];
                        }
                        sum += s;
                    }
                }
                dw[wb + ky * g.kernelW() + kx] = (float) sum;
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return Math.floorDiv(a + b - 1, b);
    }
}
