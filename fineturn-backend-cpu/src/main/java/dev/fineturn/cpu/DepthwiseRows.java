package dev.fineturn.cpu;

import dev.fineturn.spi.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import static dev.fineturn.cpu.Deinterleave.EVENS;
import static dev.fineturn.cpu.Deinterleave.ODDS;
import static dev.fineturn.cpu.Deinterleave.UPPER_HALF;

/**
 * The depthwise 3x3 forward over planes whose output rows are whole vectors, one plane at a time, at stride 1
 * with "same" padding (32x32 and 16x16 on AVX-512) and at stride 2 halving the plane (32x32 to 16x16). Each
 * output vector is three rows of the input and nine FMAs with the channel's weights broadcast in registers, then
 * the fused epilogue before the store. At stride 1 a row is one load and its neighbours either side (unaligned
 * loads inside the row, a lane shift at its ends); at stride 2 two loads, their even and odd floats joined by
 * shuffles, and the odd ones shifted a lane for the left neighbours. The plane stays in L1 from one output row
 * to the next. Sums run in {@link Depthwise3x3}'s order, tap 0 first; taps over the padding rows are left out.
 */
final class DepthwiseRows {
    private static final VectorSpecies<Float> S = VectorGemm.SPECIES;
    private static final int L = VectorGemm.L;

    private DepthwiseRows() {
    }

    /** Whether {@code g} is such a layer, on a machine with 32 vector registers. */
    static boolean applies(ConvGeometry g) {
        boolean square = VectorGemm.TALL && g.groups() == g.inChannels() && g.outChannels() == g.groups()
                && g.kernelH() == 3 && g.kernelW() == 3 && g.padTop() == 1 && g.padLeft() == 1
                && g.dilationH() == 1 && g.dilationW() == 1 && g.outW() % L == 0 && g.outH() >= 2;
        return square && (halving(g) || g.strideH() == 1 && g.strideW() == 1 && g.padBottom() == 1
                && g.padRight() == 1);
    }

    /** Stride 2 over twice the output's rows and columns: no window reaches the bottom or right padding. */
    private static boolean halving(ConvGeometry g) {
        return g.strideH() == 2 && g.strideW() == 2 && g.inH() == 2 * g.outH() && g.inW() == 2 * g.outW();
    }

    /** y = depthwise(x, w), then {@code epilogue} (null: none) on every output. */
    static void forward(ConvGeometry g, float[] x, float[] w, float[] y, ConvEpilogueKernel epilogue) {
        int planes = g.batch() * g.inChannels();
        int blocks = Math.min(planes, 8 * CpuPool.threads());
        boolean halving = halving(g);
        CpuPool.parallelFor(blocks, b -> {
            for (int p = (int) ((long) planes * b / blocks); p < (long) planes * (b + 1) / blocks; p++) {
                if (halving) {
                    halvingPlane(g, p, x, w, y, epilogue);
                } else {
                    plane(g, p, x, w, y, epilogue);
                }
            }
        });
    }

    private static void plane(ConvGeometry g, int p, float[] x, float[] w, float[] y, ConvEpilogueKernel epilogue) {
        int c = p % g.inChannels();
        int h = g.inH();
        int width = g.inW();
        int base = p * h * width;
        FloatVector w0 = FloatVector.broadcast(S, w[c * 9]);
        FloatVector w1 = FloatVector.broadcast(S, w[c * 9 + 1]);
        FloatVector w2 = FloatVector.broadcast(S, w[c * 9 + 2]);
        FloatVector w3 = FloatVector.broadcast(S, w[c * 9 + 3]);
        FloatVector w4 = FloatVector.broadcast(S, w[c * 9 + 4]);
        FloatVector w5 = FloatVector.broadcast(S, w[c * 9 + 5]);
        FloatVector w6 = FloatVector.broadcast(S, w[c * 9 + 6]);
        FloatVector w7 = FloatVector.broadcast(S, w[c * 9 + 7]);
        FloatVector w8 = FloatVector.broadcast(S, w[c * 9 + 8]);
        boolean fused = epilogue != null;
        FloatVector bias = FloatVector.broadcast(S, fused && epilogue.bias() != null ? epilogue.bias()[c] : 0f);
        float[] residual = fused ? epilogue.residual() : null;
        float lo = ConvEpilogueKernel.lower(epilogue);
        float hi = ConvEpilogueKernel.upper(epilogue);
        for (int col = 0; col < width; col += L) {
            boolean first = col == 0;
            boolean last = col + L == width;
            for (int oy = 0; oy < h; oy++) {
                int at = base + oy * width + col;
                FloatVector acc;
                FloatVector m;
                if (oy > 0) {
                    int up = at - width;
                    m = FloatVector.fromArray(S, x, up);
                    acc = (first ? m.unslice(1) : FloatVector.fromArray(S, x, up - 1)).mul(w0);
                    acc = m.fma(w1, acc);
                    acc = (last ? m.slice(1) : FloatVector.fromArray(S, x, up + 1)).fma(w2, acc);
                    m = FloatVector.fromArray(S, x, at);
                    acc = (first ? m.unslice(1) : FloatVector.fromArray(S, x, at - 1)).fma(w3, acc);
                } else {
                    m = FloatVector.fromArray(S, x, at);
                    acc = (first ? m.unslice(1) : FloatVector.fromArray(S, x, at - 1)).mul(w3);
                }
                acc = m.fma(w4, acc);
                acc = (last ? m.slice(1) : FloatVector.fromArray(S, x, at + 1)).fma(w5, acc);
                if (oy + 1 < h) {
                    int down = at + width;
                    m = FloatVector.fromArray(S, x, down);
                    acc = (first ? m.unslice(1) : FloatVector.fromArray(S, x, down - 1)).fma(w6, acc);
                    acc = m.fma(w7, acc);
                    acc = (last ? m.slice(1) : FloatVector.fromArray(S, x, down + 1)).fma(w8, acc);
                }
                if (fused) {
                    acc = acc.add(bias);
                    if (residual != null) {
                        acc = acc.add(FloatVector.fromArray(S, residual, at));
                    }
                    acc = acc.max(lo).min(hi);
                }
                acc.intoArray(y, at);
            }
        }
    }

    /**
     * The stride-2 plane. It repeats {@link #plane}'s set-up rather than share a method with it: with both loop
     * nests in one method, C2 compiled this one to 1.3 times its time.
     */
    private static void halvingPlane(ConvGeometry g, int p, float[] x, float[] w, float[] y,
                                     ConvEpilogueKernel epilogue) {
        int c = p % g.inChannels();
        int oh = g.outH();
        int ow = g.outW();
        int inW = g.inW();
        int xb = p * g.inH() * inW;
        int yb = p * oh * ow;
        FloatVector w0 = FloatVector.broadcast(S, w[c * 9]);
        FloatVector w1 = FloatVector.broadcast(S, w[c * 9 + 1]);
        FloatVector w2 = FloatVector.broadcast(S, w[c * 9 + 2]);
        FloatVector w3 = FloatVector.broadcast(S, w[c * 9 + 3]);
        FloatVector w4 = FloatVector.broadcast(S, w[c * 9 + 4]);
        FloatVector w5 = FloatVector.broadcast(S, w[c * 9 + 5]);
        FloatVector w6 = FloatVector.broadcast(S, w[c * 9 + 6]);
        FloatVector w7 = FloatVector.broadcast(S, w[c * 9 + 7]);
        FloatVector w8 = FloatVector.broadcast(S, w[c * 9 + 8]);
        boolean fused = epilogue != null;
        FloatVector bias = FloatVector.broadcast(S, fused && epilogue.bias() != null ? epilogue.bias()[c] : 0f);
        float[] residual = fused ? epilogue.residual() : null;
        float lo = ConvEpilogueKernel.lower(epilogue);
        float hi = ConvEpilogueKernel.upper(epilogue);
        for (int oy = 0; oy < oh; oy++) {
            for (int at = 0; at < ow; at += L) {
                FloatVector acc = FloatVector.zero(S);
                for (int k = oy == 0 ? 1 : 0; k < 3; k++) {
                    int row = xb + (2 * oy - 1 + k) * inW + 2 * at;
                    FloatVector a = FloatVector.fromArray(S, x, row);
                    FloatVector b = FloatVector.fromArray(S, x, row + L);
                    FloatVector evens = a.rearrange(EVENS).blend(b.rearrange(EVENS), UPPER_HALF);
                    FloatVector odds = a.rearrange(ODDS).blend(b.rearrange(ODDS), UPPER_HALF);
                    FloatVector lefts = FloatVector.broadcast(S, at == 0 ? 0f : x[row - 1]).slice(L - 1, odds);
                    acc = lefts.fma(k == 0 ? w0 : k == 1 ? w3 : w6, acc);
                    acc = evens.fma(k == 0 ? w1 : k == 1 ? w4 : w7, acc);
                    acc = odds.fma(k == 0 ? w2 : k == 1 ? w5 : w8, acc);
                }
                if (fused) {
                    acc = acc.add(bias);
                    if (residual != null) {
                        acc = acc.add(FloatVector.fromArray(S, residual, yb + oy * ow + at));
                    }
                    acc = acc.max(lo).min(hi);
                }
                acc.intoArray(y, yb + oy * ow + at);
            }
        }
    }
}
