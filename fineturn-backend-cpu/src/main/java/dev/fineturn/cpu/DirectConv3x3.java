package dev.fineturn.cpu;

import dev.fineturn.spi.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A 3x3, stride-1, pad-1 convolution over maps one vector wide (16x16 on AVX-512: ResNet's first stage at 64x64)
 * without im2col. Each image is copied once into a zero-bordered plane per channel; the 4 x 4-vector tile then
 * reads its B vectors straight from that copy, one output row per vector, at the offset of each (channel, tap),
 * and its A values from the weights interleaved by four output channels ({@link #interleaved}). Packing the im2col
 * panels took a fifth of such a layer's forward time. Sums run over k in the weights' order (channel, then tap) in
 * one pass.
 */
final class DirectConv3x3 {
    private static final VectorSpecies<Float> S = VectorGemm.SPECIES;
    private static final int L = VectorGemm.L;
    /** Output rows (one vector each) and output channels per tile. */
    private static final int ROWS = 4;
    /** Floats from one row of a zero-bordered plane to the next: a vector and a border column either side. */
    private static final int PITCH = L + 2;
    private static final ThreadLocal<float[]> PADDED = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> INTERLEAVED = ThreadLocal.withInitial(() -> new float[0]);

    private DirectConv3x3() {
    }

    /** Whether {@code g} is such a convolution, on a machine with the 4 x 4 tile's 32 vector registers. */
    static boolean applies(ConvGeometry g) {
        return VectorGemm.TALL && g.groups() == 1 && g.kernelH() == 3 && g.kernelW() == 3 && g.strideH() == 1
                && g.strideW() == 1 && g.padTop() == 1 && g.padLeft() == 1 && g.padBottom() == 1
                && g.padRight() == 1 && g.dilationH() == 1 && g.dilationW() == 1 && g.outW() == L
                && g.inW() == L && g.outH() == g.inH() && g.outH() % ROWS == 0 && g.outChannels() % 4 == 0;
    }

    /** y = conv(x, w), then {@code epilogue} (null: none) on each output plane. */
    static void forward(ConvGeometry g, float[] x, float[] w, float[] y, ConvEpilogueKernel epilogue) {
        forwardInterleaved(g, x, interleaved(w, g.outChannels(), g.inChannels() * 9), y, epilogue);
    }

    /** As {@link #forward}, with the weights already {@link #interleaved}. */
    static void forwardInterleaved(ConvGeometry g, float[] x, float[] wp, float[] y, ConvEpilogueKernel epilogue) {
        int c = g.inChannels();
        int h = g.inH();
        int plane = (h + 2) * PITCH;
        int kk = c * 9;
        int[] offsets = new int[kk];
        for (int ch = 0, k = 0; ch < c; ch++) {
            for (int ky = 0; ky < 3; ky++) {
                for (int kx = 0; kx < 3; kx++) {
                    offsets[k++] = ch * plane + ky * PITCH + kx;
                }
            }
        }
        int ohw = g.outH() * L;
        CpuPool.parallelFor(g.batch(), n -> {
            float[] padded = VectorConv.grown(PADDED, c * plane + 2);
            pad(x, n * c * h * L, c, h, padded, plane);
            int yImage = n * g.outChannels() * ohw;
            for (int oc = 0; oc < g.outChannels(); oc += 4) {
                for (int oy = 0; oy < g.outH(); oy += ROWS) {
                    tile(wp, oc * kk, kk, padded, offsets, oy * PITCH, y, yImage + oc * ohw + oy * L, ohw);
                }
                if (epilogue != null) {
                    for (int r = 0; r < 4; r++) {
                        int at = yImage + (oc + r) * ohw;
                        epilogue.apply(y, at, y, at, ohw, oc + r);
                    }
                }
            }
        });
    }

    /**
     * The weights of each group of 4 output channels as [k][4], so that the tile reads them at 4k + r, an index
     * C2 checks once per loop, instead of at four row offsets that took four registers and four checks.
     */
    static float[] interleaved(float[] w, int outChannels, int kk) {
        return interleave(w, outChannels, kk, VectorConv.grown(INTERLEAVED, outChannels * kk));
    }

    /** {@link #interleaved} into {@code wp}, which it returns. */
    static float[] interleave(float[] w, int outChannels, int kk, float[] wp) {
        for (int oc = 0; oc < outChannels; oc += 4) {
            for (int r = 0; r < 4; r++) {
                for (int k = 0, src = (oc + r) * kk, dst = oc * kk + r; k < kk; k++, dst += 4) {
                    wp[dst] = w[src + k];
                }
            }
        }
        return wp;
    }

    /** Copies one image's planes into {@code padded}, each (h + 2) x {@link #PITCH} with a zero border. */
    private static void pad(float[] x, int xOff, int c, int h, float[] padded, int plane) {
        for (int ch = 0; ch < c; ch++) {
            int base = ch * plane;
            java.util.Arrays.fill(padded, base, base + PITCH + 1, 0f);
            for (int r = 0; r < h; r++) {
                int row = base + (r + 1) * PITCH + 1;
                System.arraycopy(x, xOff + (ch * h + r) * L, padded, row, L);
                padded[row + L] = 0f;
                padded[row + L + 1] = 0f;
            }
            java.util.Arrays.fill(padded, base + (h + 1) * PITCH + 1, base + plane, 0f);
        }
    }

    /**
     * Output channels [a / kk, + 4) x rows [oy, oy + 4) of one image: the 16 accumulators over all of k, B vector j
     * of tap k read at {@code padded[offsets[k] + rowBase + j * PITCH]}, the four channels' weights of tap k at
     * {@code wp[a + 4k]}, stored to {@code y} from {@code yOff} (rows of the tile {@code L} apart, channels
     * {@code ldc} apart). The loop repeats {@link MicroKernel4x4Rows}'s with B read from the image instead of a
     * panel: the accumulators must stay in one method's registers.
     */
    private static void tile(float[] wp, int a, int kk, float[] padded, int[] offsets, int rowBase, float[] y,
                             int yOff, int ldc) {
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
            int o = offsets[k] + rowBase;
            FloatVector b0 = FloatVector.fromArray(S, padded, o);
            FloatVector b1 = FloatVector.fromArray(S, padded, o + PITCH);
            FloatVector b2 = FloatVector.fromArray(S, padded, o + 2 * PITCH);
            FloatVector b3 = FloatVector.fromArray(S, padded, o + 3 * PITCH);
            int ak = a + 4 * k;
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
