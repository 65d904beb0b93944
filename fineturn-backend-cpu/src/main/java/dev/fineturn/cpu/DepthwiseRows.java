package dev.fineturn.cpu;

import dev.fineturn.spi.ConvEpilogue;
import dev.fineturn.spi.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The depthwise 3x3 forward at stride 1 with "same" padding over planes whose rows are whole vectors (32x32 and
 * 16x16 on AVX-512), one plane at a time: each output vector is three rows of the input, each read as one load
 * and its neighbours either side (unaligned loads inside the row, a lane shift at the row's ends), nine FMAs with
 * the channel's weights broadcast in registers, then the fused epilogue before the store. The plane stays in L1
 * from one output row to the next. Sums run in {@link Depthwise3x3}'s order, tap 0 first; taps over the padding
 * rows are left out.
 */
final class DepthwiseRows {
    private static final VectorSpecies<Float> S = VectorGemm.SPECIES;
    private static final int L = VectorGemm.L;

    private DepthwiseRows() {
    }

    /** Whether {@code g} is such a layer, on a machine with 32 vector registers. */
    static boolean applies(ConvGeometry g) {
        return VectorGemm.TALL && g.groups() == g.inChannels() && g.outChannels() == g.groups()
                && g.kernelH() == 3 && g.kernelW() == 3 && g.strideH() == 1 && g.strideW() == 1
                && g.padTop() == 1 && g.padLeft() == 1 && g.padBottom() == 1 && g.padRight() == 1
                && g.dilationH() == 1 && g.dilationW() == 1 && g.inW() % L == 0 && g.inH() >= 2;
    }

    /** y = depthwise(x, w), then {@code epilogue} (null: none) on every output. */
    static void forward(ConvGeometry g, float[] x, float[] w, float[] y, ConvEpilogueKernel epilogue) {
        int planes = g.batch() * g.inChannels();
        int blocks = Math.min(planes, 8 * CpuPool.threads());
        CpuPool.parallelFor(blocks, b -> {
            for (int p = (int) ((long) planes * b / blocks); p < (long) planes * (b + 1) / blocks; p++) {
                plane(g, p, x, w, y, epilogue);
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
        float lo = !fused || epilogue.act() == ConvEpilogue.NONE ? Float.NEGATIVE_INFINITY : 0f;
        float hi = fused && epilogue.act() == ConvEpilogue.RELU6 ? 6f : Float.POSITIVE_INFINITY;
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
}
