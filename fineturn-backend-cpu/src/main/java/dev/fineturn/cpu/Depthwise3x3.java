package dev.fineturn.cpu;

import dev.fineturn.spi.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Depthwise 3x3 convolution at stride 1 or 2 (any padding and dilation), MobileNet's layers. Each input
 * plane is copied into a zero-padded plane (small enough to stay in L1), split at stride 2 into its even
 * and odd columns, so that a tap's inputs for consecutive outputs are consecutive floats of one phase.
 * Every output vector is then nine plain loads and FMAs into one register, with the nine weights in
 * registers: no per-tap pass over the plane and no edge cases. The weight gradient keeps nine
 * accumulators per plane the same way. The data gradient runs the other way: vector multiply-adds into
 * the phases of a padded gradient plane, which is then copied back (at stride 1 {@link VectorConv} runs
 * it as a forward convolution of flipped weights instead).
 */
final class Depthwise3x3 {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ThreadLocal<float[]> PHASES = ThreadLocal.withInitial(() -> new float[0]);

    private Depthwise3x3() {
    }

    static boolean applies(ConvGeometry g) {
        return g.kernelH() == 3 && g.kernelW() == 3 && g.strideH() == g.strideW()
                && (g.strideW() == 1 || g.strideW() == 2);
    }

    private static int paddedHeight(ConvGeometry g) {
        return g.padTop() + g.inH() + g.padBottom();
    }

    /** Width of one phase row: the padded width over the stride, rounded up. */
    private static int phaseWidth(ConvGeometry g) {
        int s = g.strideW();
        return (g.padLeft() + g.inW() + g.padRight() + s - 1) / s;
    }

    /**
     * The thread's phase buffer, zeroed: padded column c of padded row r at phase c % stride, column
     * c / stride, i.e. index (c % stride) * ph * hw + r * hw + c / stride; L floats of slack at the end.
     */
    private static float[] zeroedPhases(ConvGeometry g) {
        int size = g.strideW() * paddedHeight(g) * phaseWidth(g) + L;
        float[] p = PHASES.get();
        if (p.length < size) {
            p = new float[size];
            PHASES.set(p);
        }
        java.util.Arrays.fill(p, 0, size, 0f);
        return p;
    }

    /** src's plane inside its zero padding, split into column phases. */
    private static float[] phases(ConvGeometry g, float[] src, int plane) {
        float[] p = zeroedPhases(g);
        int hw = phaseWidth(g);
        int stride = g.strideW();
        int phase = paddedHeight(g) * hw;
        int sb = plane * g.inH() * g.inW();
        for (int iy = 0; iy < g.inH(); iy++) {
            int row = (g.padTop() + iy) * hw;
            int s = sb + iy * g.inW();
            if (stride == 1) {
                System.arraycopy(src, s, p, row + g.padLeft(), g.inW());
                continue;
            }
            // Stride 2 (the only other stride applies() accepts): even columns to phase 0, odd to phase 1.
            for (int ix = 0; ix < g.inW(); ix++) {
                int c = g.padLeft() + ix;
                p[(c & 1) * phase + row + (c >> 1)] = src[s + ix];
            }
        }
        return p;
    }

    /** Offsets of the nine taps in the phase buffer, relative to {@link #row}(oy) + ox. */
    private static int[] tapOffsets(ConvGeometry g) {
        int hw = phaseWidth(g);
        int stride = g.strideW();
        int phase = paddedHeight(g) * hw;
        int[] off = new int[9];
        for (int ky = 0; ky < 3; ky++) {
            for (int kx = 0; kx < 3; kx++) {
                int c = kx * g.dilationW();
                off[ky * 3 + kx] = c % stride * phase + ky * g.dilationH() * hw + c / stride;
            }
        }
        return off;
    }

    /** Where output row oy's first tap row starts in the phase buffer. */
    private static int row(ConvGeometry g, int oy) {
        return g.strideH() * oy * phaseWidth(g);
    }

    static void forward(ConvGeometry g, int plane, float[] x, float[] w, float[] y) {
        float[] p = phases(g, x, plane);
        int oh = g.outH();
        int ow = g.outW();
        int yb = plane * oh * ow;
        int wb = plane % g.inChannels() * 9;
        int[] off = tapOffsets(g);
        if (ow < L && g.strideW() == 1 && g.strideH() == 1) {
            forwardNarrow(g, p, w, wb, y, yb, off);
            return;
        }
        int o0 = off[0];
        int o1 = off[1];
        int o2 = off[2];
        int o3 = off[3];
        int o4 = off[4];
        int o5 = off[5];
        int o6 = off[6];
        int o7 = off[7];
        int o8 = off[8];
        FloatVector w0 = FloatVector.broadcast(S, w[wb]);
        FloatVector w1 = FloatVector.broadcast(S, w[wb + 1]);
        FloatVector w2 = FloatVector.broadcast(S, w[wb + 2]);
        FloatVector w3 = FloatVector.broadcast(S, w[wb + 3]);
        FloatVector w4 = FloatVector.broadcast(S, w[wb + 4]);
        FloatVector w5 = FloatVector.broadcast(S, w[wb + 5]);
        FloatVector w6 = FloatVector.broadcast(S, w[wb + 6]);
        FloatVector w7 = FloatVector.broadcast(S, w[wb + 7]);
        FloatVector w8 = FloatVector.broadcast(S, w[wb + 8]);
        int blocks = (ow + L - 1) / L;
        for (int oy = 0; oy < oh; oy++) {
            int yr = yb + oy * ow;
            int rowStart = row(g, oy);
            for (int b = 0; b < blocks; b++) {
                // The last block ends at the row's end, overlapping its neighbour with the same sums.
                int ox = Math.max(0, Math.min(b * L, ow - L));
                int r = rowStart + ox;
                FloatVector acc = FloatVector.fromArray(S, p, r + o0).mul(w0);
                acc = FloatVector.fromArray(S, p, r + o1).fma(w1, acc);
                acc = FloatVector.fromArray(S, p, r + o2).fma(w2, acc);
                acc = FloatVector.fromArray(S, p, r + o3).fma(w3, acc);
                acc = FloatVector.fromArray(S, p, r + o4).fma(w4, acc);
                acc = FloatVector.fromArray(S, p, r + o5).fma(w5, acc);
                acc = FloatVector.fromArray(S, p, r + o6).fma(w6, acc);
                acc = FloatVector.fromArray(S, p, r + o7).fma(w7, acc);
                acc = FloatVector.fromArray(S, p, r + o8).fma(w8, acc);
                if (ow >= L) {
                    acc.intoArray(y, yr + ox);
                } else {
                    System.arraycopy(acc.toArray(), 0, y, yr, ow);
                }
            }
        }
    }

    /**
     * A stride-1 plane narrower than a vector: output row oy's taps start at oy * phaseWidth, so the
     * rows run as one strip over the padded grid (the padding columns' sums are computed and dropped),
     * filling every lane instead of a few per row; the sums per output are the same, in the same order.
     */
    private static void forwardNarrow(ConvGeometry g, float[] p, float[] w, int wb, float[] y, int yb, int[] off) {
        FloatVector w0 = FloatVector.broadcast(S, w[wb]);
        FloatVector w1 = FloatVector.broadcast(S, w[wb + 1]);
        FloatVector w2 = FloatVector.broadcast(S, w[wb + 2]);
        FloatVector w3 = FloatVector.broadcast(S, w[wb + 3]);
        FloatVector w4 = FloatVector.broadcast(S, w[wb + 4]);
        FloatVector w5 = FloatVector.broadcast(S, w[wb + 5]);
        FloatVector w6 = FloatVector.broadcast(S, w[wb + 6]);
        FloatVector w7 = FloatVector.broadcast(S, w[wb + 7]);
        FloatVector w8 = FloatVector.broadcast(S, w[wb + 8]);
        int oh = g.outH();
        int ow = g.outW();
        int hw = phaseWidth(g);
        int span = (oh - 1) * hw + ow;
        float[] strip = NARROW.get();
        if (strip.length < span + L) {
            strip = new float[span + L];
            NARROW.set(strip);
        }
        for (int q = 0; q < span; q += L) {
            FloatVector acc = FloatVector.fromArray(S, p, q + off[0]).mul(w0);
            acc = FloatVector.fromArray(S, p, q + off[1]).fma(w1, acc);
            acc = FloatVector.fromArray(S, p, q + off[2]).fma(w2, acc);
            acc = FloatVector.fromArray(S, p, q + off[3]).fma(w3, acc);
            acc = FloatVector.fromArray(S, p, q + off[4]).fma(w4, acc);
            acc = FloatVector.fromArray(S, p, q + off[5]).fma(w5, acc);
            acc = FloatVector.fromArray(S, p, q + off[6]).fma(w6, acc);
            acc = FloatVector.fromArray(S, p, q + off[7]).fma(w7, acc);
            acc = FloatVector.fromArray(S, p, q + off[8]).fma(w8, acc);
            acc.intoArray(strip, q);
        }
        for (int oy = 0; oy < oh; oy++) {
            System.arraycopy(strip, oy * hw, y, yb + oy * ow, ow);
        }
    }

    private static final ThreadLocal<float[]> NARROW = ThreadLocal.withInitial(() -> new float[0]);

    /** dx[plane]: each tap's weight times dy added into the phases of a padded plane, then interleaved back. */
    static void backwardData(ConvGeometry g, int plane, float[] dy, float[] w, float[] dx) {
        float[] p = zeroedPhases(g);
        int hw = phaseWidth(g);
        int oh = g.outH();
        int ow = g.outW();
        int yb = plane * oh * ow;
        int wb = plane % g.inChannels() * 9;
        int[] off = tapOffsets(g);
        int full = ow / L * L;
        for (int oy = 0; oy < oh; oy++) {
            int yr = yb + oy * ow;
            int rowStart = row(g, oy);
            for (int ox = 0; ox < ow; ox += L) {
                // A partial last block reads dy through a mask: its extra lanes add zeros to the slack.
                FloatVector d = ox < full ? FloatVector.fromArray(S, dy, yr + ox)
                        : FloatVector.fromArray(S, dy, yr + ox, S.indexInRange(ox, ow));
                int r = rowStart + ox;
                for (int t = 0; t < 9; t++) {
                    int i = r + off[t];
                    d.fma(FloatVector.broadcast(S, w[wb + t]), FloatVector.fromArray(S, p, i)).intoArray(p, i);
                }
            }
        }
        int phase = paddedHeight(g) * hw;
        int stride = g.strideW();
        int xb = plane * g.inH() * g.inW();
        for (int iy = 0; iy < g.inH(); iy++) {
            int row = (g.padTop() + iy) * hw;
            int xr = xb + iy * g.inW();
            if (stride == 1) {
                System.arraycopy(p, row + g.padLeft(), dx, xr, g.inW());
                continue;
            }
            for (int ix = 0; ix < g.inW(); ix++) {
                int c = g.padLeft() + ix;
                dx[xr + ix] = p[(c & 1) * phase + row + (c >> 1)];
            }
        }
    }

    /** dw[c] = sum over the batch of dy[n, c] against the nine shifted views of x[n, c]. */
    static void backwardWeights(ConvGeometry g, int c, float[] x, float[] dy, float[] dw) {
        int oh = g.outH();
        int ow = g.outW();
        int full = ow / L * L;
        int[] off = tapOffsets(g);
        int o0 = off[0];
        int o1 = off[1];
        int o2 = off[2];
        int o3 = off[3];
        int o4 = off[4];
        int o5 = off[5];
        int o6 = off[6];
        int o7 = off[7];
        int o8 = off[8];
        double[] sum = new double[9];
        for (int n = 0; n < g.batch(); n++) {
            int plane = n * g.inChannels() + c;
            float[] p = phases(g, x, plane);
            int yb = plane * oh * ow;
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = FloatVector.zero(S);
            FloatVector a2 = FloatVector.zero(S);
            FloatVector a3 = FloatVector.zero(S);
            FloatVector a4 = FloatVector.zero(S);
            FloatVector a5 = FloatVector.zero(S);
            FloatVector a6 = FloatVector.zero(S);
            FloatVector a7 = FloatVector.zero(S);
            FloatVector a8 = FloatVector.zero(S);
            for (int oy = 0; oy < oh; oy++) {
                int yr = yb + oy * ow;
                int rowStart = row(g, oy);
                for (int ox = 0; ox < ow; ox += L) {
                    FloatVector d = ox < full ? FloatVector.fromArray(S, dy, yr + ox)
                            : FloatVector.fromArray(S, dy, yr + ox, S.indexInRange(ox, ow));
                    int r = rowStart + ox;
                    a0 = FloatVector.fromArray(S, p, r + o0).fma(d, a0);
                    a1 = FloatVector.fromArray(S, p, r + o1).fma(d, a1);
                    a2 = FloatVector.fromArray(S, p, r + o2).fma(d, a2);
                    a3 = FloatVector.fromArray(S, p, r + o3).fma(d, a3);
                    a4 = FloatVector.fromArray(S, p, r + o4).fma(d, a4);
                    a5 = FloatVector.fromArray(S, p, r + o5).fma(d, a5);
                    a6 = FloatVector.fromArray(S, p, r + o6).fma(d, a6);
                    a7 = FloatVector.fromArray(S, p, r + o7).fma(d, a7);
                    a8 = FloatVector.fromArray(S, p, r + o8).fma(d, a8);
                }
            }
            sum[0] += VectorMath.sumLanes(a0);
            sum[1] += VectorMath.sumLanes(a1);
            sum[2] += VectorMath.sumLanes(a2);
            sum[3] += VectorMath.sumLanes(a3);
            sum[4] += VectorMath.sumLanes(a4);
            sum[5] += VectorMath.sumLanes(a5);
            sum[6] += VectorMath.sumLanes(a6);
            sum[7] += VectorMath.sumLanes(a7);
            sum[8] += VectorMath.sumLanes(a8);
        }
        for (int t = 0; t < 9; t++) {
            dw[c * 9 + t] = (float) sum[t];
        }
    }
}
