package dev.fineturn.cpu;

import dev.fineturn.spi.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The transposed im2col matrix of a stride-1 convolution, as the weight gradient's B operand, with its
 * columns tap-major: row p is output pixel p of a run of images, column tap * icg + c holds x[c] at
 * that pixel shifted by the tap (0 in the padding). The images are first copied transposed and
 * zero-padded, pixels x channels, so that each row of a sliver is one or two contiguous runs of
 * channels; gathering the im2col columns straight from the images writes every float on its own.
 */
final class PaddedTapPanels implements PanelSource {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ThreadLocal<float[]> PADDED = ThreadLocal.withInitial(() -> new float[0]);

    private final ConvGeometry g;
    private final int icg;
    private final int paddedH;
    private final int paddedW;
    /** The images transposed: ((image * paddedH + y) * paddedW + x) * icg + c. */
    private final float[] padded;

    PaddedTapPanels(ConvGeometry g, float[] x, int firstImage, int images, int group) {
        this.g = g;
        icg = g.inChannelsPerGroup();
        paddedH = g.inH() + g.padTop() + g.padBottom();
        paddedW = g.inW() + g.padLeft() + g.padRight();
        int size = images * paddedH * paddedW * icg;
        padded = VectorConv.grown(PADDED, size);
        java.util.Arrays.fill(padded, 0, size, 0f);
        int h = g.inH();
        int w = g.inW();
        int plane = h * w;
        for (int i = 0; i < images; i++) {
            int image = ((firstImage + i) * g.inChannels() + group * icg) * plane;
            // Eight channels at a time: eight reads side by side, eight floats written together.
            for (int c0 = 0; c0 < icg; c0 += 8) {
                int cn = Math.min(8, icg - c0);
                for (int iy = 0; iy < h; iy++) {
                    int d = ((i * paddedH + iy + g.padTop()) * paddedW + g.padLeft()) * icg + c0;
                    int src = image + c0 * plane + iy * w;
                    for (int ix = 0; ix < w; ix++, d += icg, src++) {
                        for (int c = 0; c < cn; c++) {
                            padded[d + c] = x[src + c * plane];
                        }
                    }
                }
            }
        }
    }

    /**
     * Stride-1 convolutions with a kernel larger than one pixel (1x1 ones are already a plain product) on maps at
     * least 8 wide and high: on smaller ones the padding makes the copy several times the image.
     */
    static boolean applies(ConvGeometry g) {
        return g.strideH() == 1 && g.strideW() == 1 && g.kernelH() * g.kernelW() > 1 && g.outW() >= 8
                && g.outH() >= 8;
    }

    @Override
    public void pack(int pc, int kc, int j0, int width, int nr, float[] dst, int base) {
        // The sliver's columns as runs of channels within one tap: the same for every row.
        int[] from = new int[width / icg + 2];
        int[] at = new int[from.length];
        int[] length = new int[from.length];
        int runs = 0;
        int kw = g.kernelW();
        for (int j = j0; j < j0 + width; runs++) {
            int tap = j / icg;
            int c = j % icg;
            length[runs] = Math.min(icg - c, j0 + width - j);
            from[runs] = (tap / kw * g.dilationH() * paddedW + tap % kw * g.dilationW()) * icg + c;
            at[runs] = j - j0;
            j += length[runs];
        }
        int ow = g.outW();
        int oh = g.outH();
        int ohw = oh * ow;
        int image = pc / ohw;
        int oy = pc % ohw / ow;
        int ox = pc % ow;
        int pixel = ((image * paddedH + oy) * paddedW + ox) * icg;
        for (int p = 0; p < kc; p++) {
            int d = base + p * nr;
            for (int r = 0; r < runs; r++) {
                int src = pixel + from[r];
                int o = d + at[r];
                int len = length[r];
                int t = 0;
                for (; t + L <= len; t += L) {
                    FloatVector.fromArray(S, padded, src + t).intoArray(dst, o + t);
                }
                for (; t < len; t++) {
                    dst[o + t] = padded[src + t];
                }
            }
            for (int j = width; j < nr; j++) {
                dst[d + j] = 0f;
            }
            pixel += icg;
            if (++ox == ow) {
                ox = 0;
                pixel += (paddedW - ow) * icg;
                if (++oy == oh) {
                    oy = 0;
                    pixel += (paddedH - oh) * paddedW * icg;
                }
            }
        }
    }
}
