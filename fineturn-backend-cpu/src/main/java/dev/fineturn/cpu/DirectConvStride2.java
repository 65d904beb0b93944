package dev.fineturn.cpu;

import dev.fineturn.spi.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import static dev.fineturn.cpu.Deinterleave.EVENS;
import static dev.fineturn.cpu.Deinterleave.UPPER_HALF;

/**
 * A network's first layer (ResNet's 7x7 and MobileNetV2's 3x3 at stride 2 over a few input channels) without
 * im2col, where the output rows are whole vectors. Each image's channels are copied once into zero-bordered
 * column phases (even and odd columns of the padded image, rows kept): output column ox of tap kx then reads
 * phase kx % 2 at column ox + kx / 2, so every tap's B vector is one contiguous load. The 4 x 4-vector tile
 * reads it from there and its weights interleaved by four output channels, as {@link DirectConv3x3} does; the
 * tiles are two copies, since that class's offsets are constants (passed as arguments, as here, its layer took
 * 1.17 of the time).
 * Through im2col, packing the stride-2 taps took over a third of such a layer's time, since its k (taps x
 * channels) is small for the 64 or 32 output channels that share each packed float.
 */
final class DirectConvStride2 {
    private static final VectorSpecies<Float> S = VectorGemm.SPECIES;
    private static final int L = VectorGemm.L;
    /** Output vectors and output channels per tile. */
    private static final int TILE = 4;
    private static final int MAX_IN_CHANNELS = 4;
    private static final ThreadLocal<float[]> PHASES = ThreadLocal.withInitial(() -> new float[0]);

    private DirectConvStride2() {
    }

    /** Whether {@code g} is such a layer, on a machine with the 4 x 4 tile's 32 vector registers. */
    static boolean applies(ConvGeometry g) {
        return VectorGemm.TALL && g.groups() == 1 && g.inChannels() <= MAX_IN_CHANNELS && g.strideH() == 2
                && g.strideW() == 2 && g.dilationH() == 1 && g.dilationW() == 1 && g.outW() % L == 0
                && g.outH() * g.outW() / L % TILE == 0 && g.outChannels() % TILE == 0;
    }

    /** y = conv(x, w), then {@code epilogue} (null: none) on each output plane. */
    static void forward(ConvGeometry g, float[] x, float[] w, float[] y, ConvEpilogueKernel epilogue) {
        forwardInterleaved(g, x, DirectConv3x3.interleaved(w, g.outChannels(),
                g.inChannels() * g.kernelH() * g.kernelW()), y, epilogue);
    }

    /** As {@link #forward}, with the weights already {@link DirectConv3x3#interleaved}. */
    static void forwardInterleaved(ConvGeometry g, float[] x, float[] wp, float[] y, ConvEpilogueKernel epilogue) {
        Layout p = new Layout(g);
        int kk = g.inChannels() * g.kernelH() * g.kernelW();
        int[] offsets = new int[kk];
        for (int c = 0, k = 0; c < g.inChannels(); c++) {
            for (int ky = 0; ky < g.kernelH(); ky++) {
                for (int kx = 0; kx < g.kernelW(); kx++) {
                    offsets[k++] = (c * 2 + kx % 2) * p.plane() + ky * p.pitch + kx / 2;
                }
            }
        }
        int groups = g.outChannels() / TILE;
        // Images, or parts of one image's output channels when there are fewer images than threads.
        int parts = Math.min(groups, Math.max(1, (2 * CpuPool.threads() + g.batch() - 1) / g.batch()));
        int ohw = g.outH() * g.outW();
        int imageIn = g.inChannels() * g.inH() * g.inW();
        CpuPool.parallelFor(g.batch() * parts, task -> {
            int n = task / parts;
            int part = task % parts;
            float[] phases = VectorConv.grown(PHASES, g.inChannels() * 2 * p.plane() + L);
            split(g, x, n * imageIn, phases, p);
            int yImage = n * g.outChannels() * ohw;
            for (int grp = groups * part / parts; grp < groups * (part + 1) / parts; grp++) {
                int oc = grp * TILE;
                for (int v = 0; v < ohw / L; v += TILE) {
                    int oy = v * L / g.outW();
                    int ox = v * L % g.outW();
                    int b = 2 * oy * p.pitch + ox;
                    tile(wp, oc * kk, kk, phases, offsets, b, delta(g, p, v, 1, b), delta(g, p, v, 2, b),
                            delta(g, p, v, 3, b), y, yImage + oc * ohw + v * L, ohw);
                }
                if (epilogue != null) {
                    for (int r = 0; r < TILE; r++) {
                        int at = yImage + (oc + r) * ohw;
                        epilogue.apply(y, at, y, at, ohw, oc + r);
                    }
                }
            }
        });
    }

    /** Where output vector v + i of a plane reads its taps, relative to where vector v reads them ({@code b}). */
    private static int delta(ConvGeometry g, Layout p, int v, int i, int b) {
        int oy = (v + i) * L / g.outW();
        int ox = (v + i) * L % g.outW();
        return 2 * oy * p.pitch + ox - b;
    }

    /**
     * Each input channel's two column phases: phase q, row r, column j holds the padded image's (r, 2j + q), that
     * is x[r - padTop, 2j + q - padLeft], zero outside the image.
     */
    private record Layout(int rows, int pitch) {
        Layout(ConvGeometry g) {
            this(2 * (g.outH() - 1) + g.kernelH(), g.outW() + g.kernelW() / 2);
        }

        int plane() {
            return rows * pitch;
        }
    }

    /**
     * Phase q's column j is input column 2j + q - padLeft, so each phase row is the even or the odd floats of an input
     * row, shifted: two loads joined by a shuffle give a vector of it. The rows and columns outside the image stay
     * zero.
     */
    private static void split(ConvGeometry g, float[] x, int xOff, float[] phases, Layout p) {
        int h = g.inH();
        int w = g.inW();
        java.util.Arrays.fill(phases, 0, g.inChannels() * 2 * p.plane(), 0f);
        int r0 = g.padTop();
        int r1 = Math.min(p.rows, h + g.padTop());
        for (int c = 0; c < g.inChannels(); c++) {
            for (int q = 0; q < 2; q++) {
                // Column j reads input column 2i + parity with i = j + shift.
                int parity = Math.floorMod(q - g.padLeft(), 2);
                int shift = Math.floorDiv(q - g.padLeft(), 2);
                int first = Math.max(0, shift);
                int end = Math.min((w - parity + 1) / 2, p.pitch + shift);
                int base = (c * 2 + q) * p.plane() - shift;
                for (int r = r0; r < r1; r++) {
                    int src = xOff + (c * h + r - g.padTop()) * w + parity;
                    int dst = base + r * p.pitch;
                    int i = first;
                    for (; i + L <= end && src + 2 * i + 2 * L <= x.length; i += L) {
                        FloatVector a = FloatVector.fromArray(S, x, src + 2 * i);
                        FloatVector b = FloatVector.fromArray(S, x, src + 2 * i + L);
                        a.rearrange(EVENS).blend(b.rearrange(EVENS), UPPER_HALF).intoArray(phases, dst + i);
                    }
                    for (; i < end; i++) {
                        phases[dst + i] = x[src + 2 * i];
                    }
                }
            }
        }
    }

    /**
     * Output channels [a / kk, + 4) x four output vectors of one image: the 16 accumulators over all of k, vector
     * j of tap k read at {@code phases[offsets[k] + b + dj]} (d0 = 0), the four channels' weights of tap k at
     * {@code wp[a + 4k]}, stored to {@code y} from {@code yOff} (vectors {@code L} apart, channels {@code ldc}
     * apart).
     */
    private static void tile(float[] wp, int a, int kk, float[] phases, int[] offsets, int b, int d1, int d2, int d3,
                             float[] y, int yOff, int ldc) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c02 = FloatVector.zero(S);
        FloatVector c03 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c12 = FloatVector.zero(S);
        FloatVector c13 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c22 = FloatVector.zero(S);
        FloatVector c23 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        FloatVector c32 = FloatVector.zero(S);
        FloatVector c33 = FloatVector.zero(S);
        for (int k = 0; k < kk; k++) {
            int o = offsets[k] + b;
            FloatVector b0 = FloatVector.fromArray(S, phases, o);
            FloatVector b1 = FloatVector.fromArray(S, phases, o + d1);
            FloatVector b2 = FloatVector.fromArray(S, phases, o + d2);
            FloatVector b3 = FloatVector.fromArray(S, phases, o + d3);
            int ak = a + TILE * k;
            FloatVector x0 = FloatVector.broadcast(S, wp[ak]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            c02 = x0.fma(b2, c02);
            c03 = x0.fma(b3, c03);
            FloatVector x1 = FloatVector.broadcast(S, wp[ak + 1]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            c12 = x1.fma(b2, c12);
            c13 = x1.fma(b3, c13);
            FloatVector x2 = FloatVector.broadcast(S, wp[ak + 2]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            c22 = x2.fma(b2, c22);
            c23 = x2.fma(b3, c23);
            FloatVector x3 = FloatVector.broadcast(S, wp[ak + 3]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
            c32 = x3.fma(b2, c32);
            c33 = x3.fma(b3, c33);
        }
        int o = yOff;
        c00.intoArray(y, o);
        c01.intoArray(y, o + L);
        c02.intoArray(y, o + 2 * L);
        c03.intoArray(y, o + 3 * L);
        o += ldc;
        c10.intoArray(y, o);
        c11.intoArray(y, o + L);
        c12.intoArray(y, o + 2 * L);
        c13.intoArray(y, o + 3 * L);
        o += ldc;
        c20.intoArray(y, o);
        c21.intoArray(y, o + L);
        c22.intoArray(y, o + 2 * L);
        c23.intoArray(y, o + 3 * L);
        o += ldc;
        c30.intoArray(y, o);
        c31.intoArray(y, o + L);
        c32.intoArray(y, o + 2 * L);
        c33.intoArray(y, o + 3 * L);
    }
}
