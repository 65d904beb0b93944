package dev.fineturn.cpu;

import dev.fineturn.spi.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Depthwise 3x3 convolution at stride 1 (any padding and dilation), the MobileNet layer. Each input
 * plane is first copied into a zero-padded plane (it is small and stays in L1), so that every output
 * vector is nine plain loads and fused multiply-adds into one register, with the nine weights held in
 * registers: no per-tap pass over the plane and no edge cases. The weight gradient keeps nine
 * accumulators per plane the same way.
 */
final class Depthwise3x3 {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ThreadLocal<float[]> PADDED = ThreadLocal.withInitial(() -> new float[0]);

    private Depthwise3x3() {
    }

    static boolean applies(ConvGeometry g) {
        return g.kernelH() == 3 && g.kernelW() == 3 && g.strideH() == 1 && g.strideW() == 1;
    }

    private static int paddedWidth(ConvGeometry g) {
        return g.padLeft() + g.inW() + g.padRight();
    }

    /** x[plane] inside a zero border of the convolution's padding, rows paddedWidth apart, L floats of slack. */
    private static float[] padded(ConvGeometry g, float[] x, int plane) {
        int pw = paddedWidth(g);
        int size = (g.padTop() + g.inH() + g.padBottom()) * pw + L;
        float[] p = PADDED.get();
        if (p.length < size) {
            p = new float[size];
            PADDED.set(p);
        }
        java.util.Arrays.fill(p, 0, size, 0f);
        int xb = plane * g.inH() * g.inW();
        for (int iy = 0; iy < g.inH(); iy++) {
            System.arraycopy(x, xb + iy * g.inW(), p, (g.padTop() + iy) * pw + g.padLeft(), g.inW());
        }
        return p;
    }

    /** y[plane] = the 3x3 correlation of x[plane] with its channel's weights. */
    static void forward(ConvGeometry g, int plane, float[] x, float[] w, float[] y) {
        float[] p = padded(g, x, plane);
        int pw = paddedWidth(g);
        int oh = g.outH();
        int ow = g.outW();
        int dh = g.dilationH() * pw;
        int dw = g.dilationW();
        int yb = plane * oh * ow;
        int wb = plane % g.inChannels() * 9;
        FloatVector w00 = FloatVector.broadcast(S, w[wb]);
        FloatVector w01 = FloatVector.broadcast(S, w[wb + 1]);
        FloatVector w02 = FloatVector.broadcast(S, w[wb + 2]);
        FloatVector w10 = FloatVector.broadcast(S, w[wb + 3]);
        FloatVector w11 = FloatVector.broadcast(S, w[wb + 4]);
        FloatVector w12 = FloatVector.broadcast(S, w[wb + 5]);
        FloatVector w20 = FloatVector.broadcast(S, w[wb + 6]);
        FloatVector w21 = FloatVector.broadcast(S, w[wb + 7]);
        FloatVector w22 = FloatVector.broadcast(S, w[wb + 8]);
        // Blocks of L columns; the last one ends at the row's end, overlapping its neighbour (it
        // recomputes the same sums), so every store is a whole vector inside the row.
        int blocks = (ow + L - 1) / L;
        for (int oy = 0; oy < oh; oy++) {
            int r0 = oy * pw;
            int r1 = r0 + dh;
            int r2 = r1 + dh;
            int yr = yb + oy * ow;
            for (int b = 0; b < blocks; b++) {
                int ox = Math.max(0, Math.min(b * L, ow - L));
                FloatVector acc = FloatVector.fromArray(S, p, r0 + ox).mul(w00);
                acc = FloatVector.fromArray(S, p, r0 + ox + dw).fma(w01, acc);
                acc = FloatVector.fromArray(S, p, r0 + ox + 2 * dw).fma(w02, acc);
                acc = FloatVector.fromArray(S, p, r1 + ox).fma(w10, acc);
                acc = FloatVector.fromArray(S, p, r1 + ox + dw).fma(w11, acc);
                acc = FloatVector.fromArray(S, p, r1 + ox + 2 * dw).fma(w12, acc);
                acc = FloatVector.fromArray(S, p, r2 + ox).fma(w20, acc);
                acc = FloatVector.fromArray(S, p, r2 + ox + dw).fma(w21, acc);
                acc = FloatVector.fromArray(S, p, r2 + ox + 2 * dw).fma(w22, acc);
                if (ow >= L) {
                    acc.intoArray(y, yr + ox);
                } else {
                    storeNarrow(acc, y, yr, ow);
                }
            }
        }
    }

    /** A row narrower than one vector (a masked store would leave the intrinsic path on AVX2). */
    private static void storeNarrow(FloatVector acc, float[] y, int yr, int ow) {
        float[] lanes = acc.toArray();
        System.arraycopy(lanes, 0, y, yr, ow);
    }

    /** dw[c] = sum over the batch of the correlation of x[n, c] with dy[n, c], nine taps at a time. */
    static void backwardWeights(ConvGeometry g, int c, float[] x, float[] dy, float[] dw) {
        int pw = paddedWidth(g);
        int oh = g.outH();
        int ow = g.outW();
        int dh = g.dilationH() * pw;
        int dil = g.dilationW();
        int full = ow / L * L;
        double[] sum = new double[9];
        for (int n = 0; n < g.batch(); n++) {
            int plane = n * g.inChannels() + c;
            float[] p = padded(g, x, plane);
            int yb = plane * oh * ow;
            // Float accumulators for one plane, added into double sums per plane.
            FloatVector a00 = FloatVector.zero(S);
            FloatVector a01 = FloatVector.zero(S);
            FloatVector a02 = FloatVector.zero(S);
            FloatVector a10 = FloatVector.zero(S);
            FloatVector a11 = FloatVector.zero(S);
            FloatVector a12 = FloatVector.zero(S);
            FloatVector a20 = FloatVector.zero(S);
            FloatVector a21 = FloatVector.zero(S);
            FloatVector a22 = FloatVector.zero(S);
            for (int oy = 0; oy < oh; oy++) {
                int r0 = oy * pw;
                int r1 = r0 + dh;
                int r2 = r1 + dh;
                int yr = yb + oy * ow;
                for (int ox = 0; ox < ow; ox += L) {
                    // The last block of a row that is not a whole number of vectors reads dy through a
                    // mask (zero past the row), so the slack it reads in the padded plane adds nothing.
                    FloatVector d = ox < full ? FloatVector.fromArray(S, dy, yr + ox)
                            : FloatVector.fromArray(S, dy, yr + ox, S.indexInRange(ox, ow));
                    a00 = FloatVector.fromArray(S, p, r0 + ox).fma(d, a00);
                    a01 = FloatVector.fromArray(S, p, r0 + ox + dil).fma(d, a01);
                    a02 = FloatVector.fromArray(S, p, r0 + ox + 2 * dil).fma(d, a02);
                    a10 = FloatVector.fromArray(S, p, r1 + ox).fma(d, a10);
                    a11 = FloatVector.fromArray(S, p, r1 + ox + dil).fma(d, a11);
                    a12 = FloatVector.fromArray(S, p, r1 + ox + 2 * dil).fma(d, a12);
                    a20 = FloatVector.fromArray(S, p, r2 + ox).fma(d, a20);
                    a21 = FloatVector.fromArray(S, p, r2 + ox + dil).fma(d, a21);
                    a22 = FloatVector.fromArray(S, p, r2 + ox + 2 * dil).fma(d, a22);
                }
            }
            sum[0] += a00.reduceLanes(VectorOperators.ADD);
            sum[1] += a01.reduceLanes(VectorOperators.ADD);
            sum[2] += a02.reduceLanes(VectorOperators.ADD);
            sum[3] += a10.reduceLanes(VectorOperators.ADD);
            sum[4] += a11.reduceLanes(VectorOperators.ADD);
            sum[5] += a12.reduceLanes(VectorOperators.ADD);
            sum[6] += a20.reduceLanes(VectorOperators.ADD);
            sum[7] += a21.reduceLanes(VectorOperators.ADD);
            sum[8] += a22.reduceLanes(VectorOperators.ADD);
        }
        for (int t = 0; t < 9; t++) {
            dw[c * 9 + t] = (float) sum[t];
        }
    }
}
