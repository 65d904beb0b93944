package dev.fineturn.cpu;

import dev.fineturn.spi.ConvGeometry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static dev.fineturn.cpu.KernelFixtures.signed;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Slivers gathered straight from the images equal the same slivers cut from the explicit im2col
 * matrix, for every (k, column) window including ones that start mid-row and cross image borders.
 */
class Im2colPanelsTest {
    static List<ConvGeometry> geometries() {
        return List.of(
                // batch, inC, inH, inW, outC, kh, kw, sh, sw, padT, padL, padB, padR, dilH, dilW, groups
                new ConvGeometry(3, 2, 5, 7, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(2, 4, 9, 6, 2, 3, 2, 2, 2, 1, 0, 2, 1, 1, 1, 2),
                new ConvGeometry(2, 3, 8, 9, 3, 3, 3, 1, 2, 2, 3, 2, 3, 2, 2, 1),
                new ConvGeometry(4, 2, 3, 3, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                // stride 1, as wide as the input but one row shorter, dilated in x
                new ConvGeometry(3, 2, 6, 5, 1, 3, 3, 1, 1, 0, 2, 1, 2, 1, 2, 1),
                // kernel taller than the padded input for some taps
                new ConvGeometry(2, 1, 2, 4, 1, 5, 3, 1, 1, 2, 1, 2, 1, 1, 1, 1),
                // channels enough that a whole-depth block takes the per-tap index path: shifted, and strided
                new ConvGeometry(3, 10, 5, 7, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(3, 10, 9, 6, 2, 3, 2, 2, 2, 1, 0, 2, 1, 1, 1, 1));
    }

    /** col[(ic*kh + ky)*kw + kx][(image*oh + oy)*ow + ox] for images [first, first + count) of group grp. */
    private static float[][] explicit(ConvGeometry g, float[] x, int first, int count, int grp) {
        int taps = g.inChannelsPerGroup() * g.kernelH() * g.kernelW();
        int ohw = g.outH() * g.outW();
        float[][] col = new float[taps][count * ohw];
        for (int ic = 0; ic < g.inChannelsPerGroup(); ic++) {
            for (int ky = 0; ky < g.kernelH(); ky++) {
                for (int kx = 0; kx < g.kernelW(); kx++) {
                    int row = (ic * g.kernelH() + ky) * g.kernelW() + kx;
                    for (int i = 0; i < count; i++) {
                        for (int oy = 0; oy < g.outH(); oy++) {
                            for (int ox = 0; ox < g.outW(); ox++) {
                                int iy = oy * g.strideH() - g.padTop() + ky * g.dilationH();
                                int ix = ox * g.strideW() - g.padLeft() + kx * g.dilationW();
                                boolean inside = iy >= 0 && iy < g.inH() && ix >= 0 && ix < g.inW();
                                int c = (first + i) * g.inChannels() + grp * g.inChannelsPerGroup() + ic;
                                col[row][(i * g.outH() + oy) * g.outW() + ox] = inside
                                        ? x[(c * g.inH() + iy) * g.inW() + ix] : 0f;
                            }
                        }
                    }
                }
            }
        }
        return col;
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void everySliverMatchesTheExplicitMatrix(ConvGeometry g) {
        float[] x = signed(g.batch() * g.inChannels() * g.inH() * g.inW(), 7);
        // Non-finite values at row ends: a tap in the left padding of the next row sits right after them in
        // memory, and must still read 0.
        for (int c = 0; c < g.batch() * g.inChannels(); c++) {
            for (int r = 0; r < Math.min(2, g.inH()); r++) {
                x[(c * g.inH() + r) * g.inW() + g.inW() - 1] = r == 0 ? Float.NaN : Float.POSITIVE_INFINITY;
            }
        }
        int first = 1;
        int count = g.batch() - 1;
        int grp = g.groups() - 1;
        float[][] col = explicit(g, x, first, count, grp);
        // 5: no whole vectors; 16: whole vectors for every preferred species up to 512 bits
        for (int nr : new int[]{5, 16}) {
            check(g, x, first, grp, col, nr);
        }
    }

    private static void check(ConvGeometry g, float[] x, int first, int grp, float[][] col, int nr) {
        int taps = col.length;
        int pixels = col[0].length;
        for (boolean transposed : new boolean[]{false, true}) {
            PanelSource source = new Im2colPanels(g, x, first, grp, transposed);
            int rows = transposed ? pixels : taps;
            int cols = transposed ? taps : pixels;
            // blocks of up to 4 rows (row-run copies), then the whole depth at once (per-tap index vectors)
            for (int pc = 0; pc < rows; pc += 3) {
                checkBlock(source, col, transposed, pc, Math.min(4, rows - pc), cols, nr);
            }
            checkBlock(source, col, transposed, 0, rows, cols, nr);
        }
    }

    private static void checkBlock(PanelSource source, float[][] col, boolean transposed, int pc, int kc, int cols,
                                   int nr) {
        for (int j0 = 0; j0 < cols; j0 += 2) {
            int width = Math.min(nr, cols - j0);
            float[] dst = new float[3 + kc * nr];
            java.util.Arrays.fill(dst, Float.NaN);
            source.pack(pc, kc, j0, width, nr, dst, 3);
            for (int p = 0; p < kc; p++) {
                for (int j = 0; j < nr; j++) {
                    float want = j >= width ? 0f : transposed ? col[j0 + j][pc + p] : col[pc + p][j0 + j];
                    assertEquals(want, dst[3 + p * nr + j], 0f, "nr=" + nr + " transposed=" + transposed
                            + " pc=" + pc + " kc=" + kc + " j0=" + j0 + " p=" + p + " j=" + j);
                }
            }
        }
    }
}
