package dev.fineturn.cpu;

import dev.fineturn.spi.PoolGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import static dev.fineturn.cpu.Deinterleave.EVENS;
import static dev.fineturn.cpu.Deinterleave.ODDS;
import static dev.fineturn.cpu.Deinterleave.UPPER_HALF;

/**
 * Max pooling with PyTorch's rules: the first maximum in row-major window order wins ties, and a
 * NaN beats every number. One task per NCHW plane; lanes are adjacent output columns. Stride-2
 * windows are loaded as two contiguous vectors de-interleaved by a shuffle (a gather is slower).
 */
final class VectorMaxPool {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ThreadLocal<float[]> ROW_MAXIMA = ThreadLocal.withInitial(() -> new float[0]);
    /** Window indices are tracked as floats, exact below 2^24. */
    private static final int MAX_PLANE = 1 << 24;

    private VectorMaxPool() {
    }

    static void forward(PoolGeometry g, float[] x, float[] y) {
        CpuPool.parallelFor(g.batch() * g.channels(), p -> forwardPlane(g, p, x, y));
    }

    static void backward(PoolGeometry g, float[] x, float[] dy, float[] dx) {
        CpuPool.parallelFor(g.batch() * g.channels(), p -> backwardPlane(g, p, x, dy, dx));
    }

    private static void forwardPlane(PoolGeometry g, int plane, float[] x, float[] y) {
        if (rowsFirst(g)) {
            forwardRowsFirst(g, plane, x, y);
            return;
        }
        if (PaddedPlane.wanted(g, L)) {
            forwardPadded(g, plane, x, y);
            return;
        }
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
                y[yr + ox] = x[xb + argmax(g, x, xb, iy0, iy1, ox)];
            }
            if (vector && end - first >= L) {
                for (int at = first; PoolColumns.loadable(g, x.length, lastRow, at, L); at = Math.min(ox, end - L)) {
                    if (g.strideW() == 1) {
                        maxStride1(g.kernelW(), g.inW(), g.padLeft(), x, xb, iy0, iy1, at, y, yr + at);
                    } else {
                        maxStride2(g.kernelW(), g.inW(), g.padLeft(), x, xb, iy0, iy1, at, y, yr + at);
                    }
                    ox = at + L;
                    if (ox == end) {
                        break;
                    }
                }
            }
            for (; ox < ow; ox++) {
                y[yr + ox] = x[xb + argmax(g, x, xb, iy0, iy1, ox)];
            }
        }
    }

    /**
     * ResNet's pool (3x3, stride 2, padding 1) over a plane of twice the output's rows and columns, the output rows
     * whole vectors: no window reaches past the bottom or right edge.
     */
    private static boolean rowsFirst(PoolGeometry g) {
        return g.kernelH() == 3 && g.kernelW() == 3 && g.strideH() == 2 && g.strideW() == 2 && g.padTop() == 1
                && g.padLeft() == 1 && g.inH() == 2 * g.outH() && g.inW() == 2 * g.outW() && g.outW() % L == 0;
    }

    /**
     * Each input row's maxima over three columns once (its even and odd columns de-interleaved, the left neighbour
     * an odd column shifted by a lane), then the maxima of three such rows. Taking the later value only where it
     * is greater or NaN is associative over a window scanned in order, so this gives the row-major scan's result,
     * ties and signed zeros included. Odd rows' maxima are kept for the next output row, whose window starts there.
     * One method: split into helpers taking vectors, C2 left some of them calls on boxed vectors.
     */
    private static void forwardRowsFirst(PoolGeometry g, int plane, float[] x, float[] y) {
        int oh = g.outH();
        int ow = g.outW();
        int inW = g.inW();
        int xb = plane * g.inH() * inW;
        int yb = plane * oh * ow;
        float[] above = VectorConv.grown(ROW_MAXIMA, ow);
        FloatVector none = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int oy = 0; oy < oh; oy++) {
            for (int at = 0; at < ow; at += L) {
                FloatVector max = oy == 0 ? none : FloatVector.fromArray(S, above, at);
                for (int k = 0; k < 2; k++) {
                    int row = xb + (2 * oy + k) * inW;
                    FloatVector a = FloatVector.fromArray(S, x, row + 2 * at);
                    FloatVector b = FloatVector.fromArray(S, x, row + 2 * at + L);
                    FloatVector evens = a.rearrange(EVENS).blend(b.rearrange(EVENS), UPPER_HALF);
                    FloatVector odds = a.rearrange(ODDS).blend(b.rearrange(ODDS), UPPER_HALF);
                    FloatVector left = at == 0 ? none : FloatVector.broadcast(S, x[row + 2 * at - 1]);
                    FloatVector h = left.slice(L - 1, odds);
                    h = h.blend(evens,
                            evens.compare(VectorOperators.GT, h).or(evens.compare(VectorOperators.NE, evens)));
                    h = h.blend(odds, odds.compare(VectorOperators.GT, h).or(odds.compare(VectorOperators.NE, odds)));
                    max = max.blend(h, h.compare(VectorOperators.GT, max).or(h.compare(VectorOperators.NE, h)));
                    if (k == 1) {
                        h.intoArray(above, at);
                    }
                }
                max.intoArray(y, yb + oy * ow + at);
            }
        }
    }

    private static void maxStride1(int kernelW, int rowW, int padLeft, float[] x, int xb, int iy0, int iy1, int ox,
                                   float[] y, int yo) {
        FloatVector best = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int iy = iy0; iy < iy1; iy++) {
            int base = xb + iy * rowW + ox - padLeft;
            for (int kx = 0; kx < kernelW; kx++) {
                FloatVector v = FloatVector.fromArray(S, x, base + kx);
                best = best.blend(v, v.compare(VectorOperators.GT, best).or(v.compare(VectorOperators.NE, v)));
            }
        }
        best.intoArray(y, yo);
    }

    private static void maxStride2(int kernelW, int rowW, int padLeft, float[] x, int xb, int iy0, int iy1, int ox,
                                   float[] y, int yo) {
        FloatVector best = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int iy = iy0; iy < iy1; iy++) {
            int base = xb + iy * rowW + 2 * ox - padLeft;
            for (int kx = 0; kx < kernelW; kx++) {
                FloatVector v = FloatVector.fromArray(S, x, base + kx).rearrange(EVENS)
                        .blend(FloatVector.fromArray(S, x, base + kx + L).rearrange(EVENS), UPPER_HALF);
                best = best.blend(v, v.compare(VectorOperators.GT, best).or(v.compare(VectorOperators.NE, v)));
            }
        }
        best.intoArray(y, yo);
    }

    private static void backwardPlane(PoolGeometry g, int plane, float[] x, float[] dy, float[] dx) {
        if (PaddedPlane.wanted(g, L) && PaddedPlane.rowWidth(g) * g.inH() <= MAX_PLANE) {
            backwardPadded(g, plane, x, dy, dx);
            return;
        }
        int oh = g.outH();
        int ow = g.outW();
        int planeSize = g.inH() * g.inW();
        int xb = plane * planeSize;
        java.util.Arrays.fill(dx, xb, xb + planeSize, 0f);
        boolean vector = PoolColumns.vectorStride(g) && planeSize <= MAX_PLANE;
        int first = PoolColumns.first(g);
        int end = PoolColumns.end(g);
        float[] index = new float[ow];
        for (int oy = 0; oy < oh; oy++) {
            int y0 = oy * g.strideH() - g.padTop();
            int iy0 = Math.max(y0, 0);
            int iy1 = Math.min(y0 + g.kernelH(), g.inH());
            int lastRow = xb + (iy1 - 1) * g.inW();
            int ox = 0;
            for (; ox < first; ox++) {
                index[ox] = argmax(g, x, xb, iy0, iy1, ox);
            }
            if (vector && end - first >= L) {
                for (int at = first; PoolColumns.loadable(g, x.length, lastRow, at, L); at = Math.min(ox, end - L)) {
                    if (g.strideW() == 1) {
                        argmaxStride1(g.kernelW(), g.inW(), g.padLeft(), x, xb, iy0, iy1, at, index);
                    } else {
                        argmaxStride2(g.kernelW(), g.inW(), g.padLeft(), x, xb, iy0, iy1, at, index);
                    }
                    ox = at + L;
                    if (ox == end) {
                        break;
                    }
                }
            }
            for (; ox < ow; ox++) {
                index[ox] = argmax(g, x, xb, iy0, iy1, ox);
            }
            int yr = (plane * oh + oy) * ow;
            for (int o = 0; o < ow; o++) {
                dx[xb + (int) index[o]] += dy[yr + o];
            }
        }
    }

    /**
     * A plane whose vector columns are fewer than a vector (ResNet's 3x3 stride-2 pool of a 32x32 map on 16 lanes)
     * is copied into rows padded with -infinity, where every output column is a vector column.
     */
    private static void forwardPadded(PoolGeometry g, int plane, float[] x, float[] y) {
        int oh = g.outH();
        int ow = g.outW();
        int rowW = PaddedPlane.rowWidth(g);
        float[] p = PaddedPlane.copy(g, L, x, plane * g.inH() * g.inW());
        for (int oy = 0; oy < oh; oy++) {
            int yr = (plane * oh + oy) * ow;
            int y0 = oy * g.strideH() - g.padTop();
            int iy0 = Math.max(y0, 0);
            int iy1 = Math.min(y0 + g.kernelH(), g.inH());
            for (int at = 0; ; at = Math.min(at + L, ow - L)) {
                if (g.strideW() == 1) {
                    maxStride1(g.kernelW(), rowW, 0, p, 0, iy0, iy1, at, y, yr + at);
                } else {
                    maxStride2(g.kernelW(), rowW, 0, p, 0, iy0, iy1, at, y, yr + at);
                }
                if (at == ow - L) {
                    break;
                }
            }
        }
    }

    /**
     * The backward pass over a padded plane ({@link #forwardPadded}): the maxima are found in padded coordinates
     * and mapped back; a window whose maximum is -infinity may have kept a padding column, and is scanned again
     * as the reference does.
     */
    private static void backwardPadded(PoolGeometry g, int plane, float[] x, float[] dy, float[] dx) {
        int oh = g.outH();
        int ow = g.outW();
        int planeSize = g.inH() * g.inW();
        int xb = plane * planeSize;
        java.util.Arrays.fill(dx, xb, xb + planeSize, 0f);
        int rowW = PaddedPlane.rowWidth(g);
        int padLeft = g.padLeft();
        float[] p = PaddedPlane.copy(g, L, x, xb);
        float[] index = new float[ow];
        for (int oy = 0; oy < oh; oy++) {
            int y0 = oy * g.strideH() - g.padTop();
            int iy0 = Math.max(y0, 0);
            int iy1 = Math.min(y0 + g.kernelH(), g.inH());
            boolean rescan = false;
            for (int at = 0; ; at = Math.min(at + L, ow - L)) {
                FloatVector best = g.strideW() == 1
                        ? argmaxStride1(g.kernelW(), rowW, 0, p, 0, iy0, iy1, at, index)
                        : argmaxStride2(g.kernelW(), rowW, 0, p, 0, iy0, iy1, at, index);
                rescan |= best.compare(VectorOperators.EQ, Float.NEGATIVE_INFINITY).anyTrue();
                if (at == ow - L) {
                    break;
                }
            }
            int yr = (plane * oh + oy) * ow;
            for (int o = 0; o < ow; o++) {
                int at = (int) index[o];
                int iy = at / rowW;
                int ix = at - iy * rowW - padLeft;
                if (rescan && (ix < 0 || ix >= g.inW())) {
                    dx[xb + argmax(g, x, xb, iy0, iy1, o)] += dy[yr + o];
                } else {
                    dx[xb + iy * g.inW() + ix] += dy[yr + o];
                }
            }
        }
    }

    /** Plane offsets of each lane's first maximum, written to {@code index[ox..ox+L)}; returns the maxima. */
    private static FloatVector argmaxStride1(int kernelW, int rowW, int padLeft, float[] x, int xb, int iy0,
                                             int iy1, int ox, float[] index) {
        FloatVector lanes = FloatVector.zero(S).addIndex(1);
        FloatVector best = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        FloatVector bestAt = lanes.add(iy0 * rowW + ox - padLeft);
        for (int iy = iy0; iy < iy1; iy++) {
            int at = iy * rowW + ox - padLeft;
            for (int kx = 0; kx < kernelW; kx++) {
                FloatVector v = FloatVector.fromArray(S, x, xb + at + kx);
                VectorMask<Float> take = v.compare(VectorOperators.GT, best)
                        .or(v.compare(VectorOperators.NE, v).andNot(best.compare(VectorOperators.NE, best)));
                best = best.blend(v, take);
                bestAt = bestAt.blend(lanes.add(at + kx), take);
            }
        }
        bestAt.intoArray(index, ox);
        return best;
    }

    private static FloatVector argmaxStride2(int kernelW, int rowW, int padLeft, float[] x, int xb, int iy0,
                                             int iy1, int ox, float[] index) {
        FloatVector lanes = FloatVector.zero(S).addIndex(2);
        FloatVector best = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        FloatVector bestAt = lanes.add(iy0 * rowW + 2 * ox - padLeft);
        for (int iy = iy0; iy < iy1; iy++) {
            int at = iy * rowW + 2 * ox - padLeft;
            for (int kx = 0; kx < kernelW; kx++) {
                FloatVector v = FloatVector.fromArray(S, x, xb + at + kx).rearrange(EVENS)
                        .blend(FloatVector.fromArray(S, x, xb + at + kx + L).rearrange(EVENS), UPPER_HALF);
                VectorMask<Float> take = v.compare(VectorOperators.GT, best)
                        .or(v.compare(VectorOperators.NE, v).andNot(best.compare(VectorOperators.NE, best)));
                best = best.blend(v, take);
                bestAt = bestAt.blend(lanes.add(at + kx), take);
            }
        }
        bestAt.intoArray(index, ox);
        return best;
    }

    /** Plane offset of the first maximum of one window (row-major scan; NaN wins), as the reference. */
    private static int argmax(PoolGeometry g, float[] x, int xb, int iy0, int iy1, int ox) {
        int x0 = ox * g.strideW() - g.padLeft();
        int ix0 = Math.max(x0, 0);
        int ix1 = Math.min(x0 + g.kernelW(), g.inW());
        int best = -1;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int iy = iy0; iy < iy1; iy++) {
            for (int ix = ix0; ix < ix1; ix++) {
                float v = x[xb + iy * g.inW() + ix];
                if (best < 0 || v > bestValue || Float.isNaN(v) && !Float.isNaN(bestValue)) {
                    best = iy * g.inW() + ix;
                    bestValue = v;
                }
            }
        }
        return best;
    }
}
