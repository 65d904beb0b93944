package dev.fineturn.cpu;

import dev.fineturn.reference.PoolKernels;
import dev.fineturn.spi.PoolGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import static dev.fineturn.cpu.Deinterleave.EVENS;
import static dev.fineturn.cpu.Deinterleave.UPPER_HALF;

/**
 * Average pooling with PyTorch's divisor (count_include_pad, ceil mode) taken from the reference.
 * One task per NCHW plane; lanes are adjacent output columns in the forward pass and adjacent
 * input columns in the backward pass.
 */
final class VectorAvgPool {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Lane j takes element j / 2: each value twice. */
    private static final VectorShuffle<Float> PAIRS = VectorShuffle.fromOp(S, j -> j / 2);

    private VectorAvgPool() {
    }

    static void forward(PoolGeometry g, float[] x, float[] y) {
        CpuPool.parallelFor(g.batch() * g.channels(), p -> forwardPlane(g, p, x, y));
    }

    static void backward(PoolGeometry g, float[] dy, float[] dx) {
        CpuPool.parallelFor(g.batch() * g.channels(), p -> backwardPlane(g, p, dy, dx));
    }

    private static void forwardPlane(PoolGeometry g, int plane, float[] x, float[] y) {
        int oh = g.outH();
        int ow = g.outW();
        int xb = plane * g.inH() * g.inW();
        boolean vector = PoolColumns.vectorStride(g);
        int first = PoolColumns.first(g);
        int end = PoolColumns.end(g);
        for (int oy = 0; oy < oh; oy++) {
            int yr = (plane * oh + oy) * ow;
            int y0 = oy * g.strideH() - g.padTop();
            int iy0 = Math.max(y0, 0);
            int iy1 = Math.min(y0 + g.kernelH(), g.inH());
            int lastRow = xb + (iy1 - 1) * g.inW();
            int ox = 0;
            for (; ox < first; ox++) {
                y[yr + ox] = average(g, x, xb, y0, iy0, iy1, ox);
            }
            if (vector && end - first >= L) {
                float divisor = PoolKernels.divisor(g, y0, first * g.strideW() - g.padLeft());
                for (int at = first; PoolColumns.loadable(g, x.length, lastRow, at, L); at = Math.min(ox, end - L)) {
                    if (g.strideW() == 1) {
                        sumStride1(g, x, xb, iy0, iy1, at, divisor, y, yr + at);
                    } else {
                        sumStride2(g, x, xb, iy0, iy1, at, divisor, y, yr + at);
                    }
                    ox = at + L;
                    if (ox == end) {
                        break;
                    }
                }
            }
            for (; ox < ow; ox++) {
                y[yr + ox] = average(g, x, xb, y0, iy0, iy1, ox);
            }
        }
    }

    private static void sumStride1(PoolGeometry g, float[] x, int xb, int iy0, int iy1, int ox, float divisor,
                                   float[] y, int yo) {
        FloatVector sum = FloatVector.zero(S);
        for (int iy = iy0; iy < iy1; iy++) {
            int base = xb + iy * g.inW() + ox - g.padLeft();
            for (int kx = 0; kx < g.kernelW(); kx++) {
                sum = sum.add(FloatVector.fromArray(S, x, base + kx));
            }
        }
        sum.div(divisor).intoArray(y, yo);
    }

    private static void sumStride2(PoolGeometry g, float[] x, int xb, int iy0, int iy1, int ox, float divisor,
                                   float[] y, int yo) {
        FloatVector sum = FloatVector.zero(S);
        for (int iy = iy0; iy < iy1; iy++) {
            int base = xb + iy * g.inW() + 2 * ox - g.padLeft();
            for (int kx = 0; kx < g.kernelW(); kx++) {
                sum = sum.add(FloatVector.fromArray(S, x, base + kx).rearrange(EVENS)
                        .blend(FloatVector.fromArray(S, x, base + kx + L).rearrange(EVENS), UPPER_HALF));
            }
        }
        sum.div(divisor).intoArray(y, yo);
    }

    /** One window's average, accumulated in double as the reference does. */
    private static float average(PoolGeometry g, float[] x, int xb, int y0, int iy0, int iy1, int ox) {
        int x0 = ox * g.strideW() - g.padLeft();
        int ix0 = Math.max(x0, 0);
        int ix1 = Math.min(x0 + g.kernelW(), g.inW());
        double sum = 0;
        for (int iy = iy0; iy < iy1; iy++) {
            for (int ix = ix0; ix < ix1; ix++) {
                sum += x[xb + iy * g.inW() + ix];
            }
        }
        return (float) (sum / PoolKernels.divisor(g, y0, x0));
    }

    private static void backwardPlane(PoolGeometry g, int plane, float[] dy, float[] dx) {
        int oh = g.outH();
        int ow = g.outW();
        int w = g.inW();
        int xb = plane * g.inH() * w;
        java.util.Arrays.fill(dx, xb, xb + g.inH() * w, 0f);
        // Room past the row so that a vector load from any column stays in the array.
        float[] scaled = new float[ow + L];
        boolean pairs = g.strideW() == 2 && g.kernelW() == 2 && g.padLeft() == 0 && L % 2 == 0;
        for (int oy = 0; oy < oh; oy++) {
            int y0 = oy * g.strideH() - g.padTop();
            int iy0 = Math.max(y0, 0);
            int iy1 = Math.min(y0 + g.kernelH(), g.inH());
            int yr = (plane * oh + oy) * ow;
            for (int ox = 0; ox < ow; ox++) {
                scaled[ox] = dy[yr + ox] / PoolKernels.divisor(g, y0, ox * g.strideW() - g.padLeft());
            }
            for (int iy = iy0; iy < iy1; iy++) {
                int row = xb + iy * w;
                if (g.strideW() == 1) {
                    for (int kx = 0; kx < g.kernelW(); kx++) {
                        int shift = kx - g.padLeft();
                        int lo = Math.max(0, -shift);
                        int hi = Math.min(ow, w - shift);
                        addInto(dx, row + shift, scaled, lo, hi);
                    }
                } else if (pairs) {
                    addPairsInto(dx, row, scaled, Math.min(w, 2 * ow));
                } else {
                    for (int ox = 0; ox < ow; ox++) {
                        int x0 = ox * g.strideW() - g.padLeft();
                        for (int ix = Math.max(x0, 0); ix < Math.min(x0 + g.kernelW(), w); ix++) {
                            dx[row + ix] += scaled[ox];
                        }
                    }
                }
            }
        }
    }

    /** dx[at + i] += d[i] for i in [lo, hi). */
    private static void addInto(float[] dx, int at, float[] d, int lo, int hi) {
        int i = lo;
        for (; i + L <= hi; i += L) {
            FloatVector.fromArray(S, dx, at + i).add(FloatVector.fromArray(S, d, i)).intoArray(dx, at + i);
        }
        for (; i < hi; i++) {
            dx[at + i] += d[i];
        }
    }

    /** dx[at + j] += d[j / 2] for j in [0, n): 2x2 stride-2 windows that tile the row. */
    private static void addPairsInto(float[] dx, int at, float[] d, int n) {
        int j = 0;
        for (; j + L <= n; j += L) {
            FloatVector.fromArray(S, dx, at + j).add(FloatVector.fromArray(S, d, j / 2).rearrange(PAIRS))
                    .intoArray(dx, at + j);
        }
        for (; j < n; j++) {
            dx[at + j] += d[j / 2];
        }
    }
}
