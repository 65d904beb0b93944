package dev.fineturn.cpu;

import dev.fineturn.spi.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import static dev.fineturn.cpu.Deinterleave.EVENS;
import static dev.fineturn.cpu.Deinterleave.UPPER_HALF;

/**
 * The im2col matrix of a run of images, packed for the GEMM straight from the images: row
 * (ic * kh + ky) * kw + kx, column (image * oh + oy) * ow + ox holds x[image, grp * icg + ic, iy, ix]
 * (0 in the padding). Transposed, the rows are the pixels and the columns the taps, as the weight
 * gradient needs. No column buffer is written; each sliver is gathered when the GEMM packs it.
 */
final class Im2colPanels implements PanelSource {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private final ConvGeometry g;
    private final float[] x;
    private final int firstImage;
    private final int group;
    private final boolean transposed;
    /** Per kx: the output columns whose input column lies inside the image, [oxLo, oxHi). */
    private final int[] oxLo;
    private final int[] oxHi;
    /** Stride 1 and the output as wide as the input: a tap's values are the image shifted by (dy, dx). */
    private final boolean shifted;
    /**
     * {@link #packShiftedImages}' lane masks, one image's pixels per tap, on a {@link #shifted} map of at most
     * {@link #SMALL_MAP_PIXELS} pixels that are whole vectors; otherwise null.
     */
    private final int[] imageMask;
    /** The last sliver's {@link #packIndexed} tables; threads packing slivers of one product may share them. */
    private Taps taps;
    /** Maps up to this many pixels pack slivers that span images as {@link #packShiftedImages}. */
    private static final int SMALL_MAP_PIXELS = 1024;
    /**
     * Rows per tap from which a sliver is gathered through per-tap index vectors ({@link #packIndexed}):
     * below it, building the index costs more than the row-run copies it replaces.
     */
    private static final int INDEXED_ROWS_PER_TAP = 8;

    Im2colPanels(ConvGeometry g, float[] x, int firstImage, int group, boolean transposed) {
        this.g = g;
        this.x = x;
        this.firstImage = firstImage;
        this.group = group;
        this.transposed = transposed;
        shifted = g.strideH() == 1 && g.strideW() == 1 && g.outW() == g.inW();
        oxLo = new int[g.kernelW()];
        oxHi = new int[g.kernelW()];
        for (int kx = 0; kx < g.kernelW(); kx++) {
            int ix0 = kx * g.dilationW() - g.padLeft();
            oxLo[kx] = Math.min(g.outW(), Math.max(0, ceilDiv(-ix0, g.strideW())));
            oxHi[kx] = Math.max(oxLo[kx], Math.min(g.outW(), ceilDiv(g.inW() - ix0, g.strideW())));
        }
        int ohw = ohw();
        imageMask = shifted && !transposed && ohw % L == 0 && ohw <= SMALL_MAP_PIXELS
                ? ShiftMask.of(g, oxLo, oxHi, 0, ohw).lanes() : null;
    }

    @Override
    public void pack(int pc, int kc, int j0, int width, int nr, float[] dst, int base) {
        int kw = g.kernelW();
        int kh = g.kernelH();
        // Row runs are long on wide stride-1 maps; elsewhere index vectors gather faster.
        if (transposed && nr % L == 0 && (!shifted || g.outW() <= L)) {
            packIndexedTransposed(pc, kc, j0, width, nr, dst, base);
            return;
        }
        if (transposed) {
            int[] runs = runs(pc, kc);
            int tap = j0;
            int ic = tap / (kh * kw);
            int ky = tap / kw % kh;
            int kx = tap % kw;
            for (int j = 0; j < width; j++) {
                gather(runs, ic, ky, kx, dst, base + j, nr);
                if (++kx == kw) {
                    kx = 0;
                    if (++ky == kh) {
                        ky = 0;
                        ic++;
                    }
                }
            }
            for (int j = width; j < nr; j++) {
                for (int p = 0, d = base + j; p < kc; p++, d += nr) {
                    dst[d] = 0f;
                }
            }
            return;
        }
        if (shifted && width == nr && nr % L == 0 && j0 / ohw() == (j0 + width - 1) / ohw()) {
            packShifted(pc, kc, j0, nr, dst, base);
            return;
        }
        if (imageMask != null && width == nr && nr % L == 0 && j0 % L == 0) {
            packShiftedImages(pc, kc, j0, nr, dst, base);
            return;
        }
        if (nr % L == 0 && kc >= INDEXED_ROWS_PER_TAP * kh * kw) {
            packIndexed(pc, kc, j0, width, nr, dst, base);
            return;
        }
        int[] runs = runs(j0, width);
        int ic = pc / (kh * kw);
        int ky = pc / kw % kh;
        int kx = pc % kw;
        for (int p = 0; p < kc; p++) {
            int d = base + p * nr;
            gather(runs, ic, ky, kx, dst, d, 1);
            for (int j = width; j < nr; j++) {
                dst[d + j] = 0f;
            }
            if (++kx == kw) {
                kx = 0;
                if (++ky == kh) {
                    ky = 0;
                    ic++;
                }
            }
        }
    }

    /**
     * Pixels [pixel, pixel + count) split at output-row ends (at image ends when {@link #shifted}):
     * runs[0] is the run count, then per run the image's first channel plane of this group, oy, the
     * first ox and the length (oy * ow + ox is the first pixel of the image when shifted).
     */
    private int[] runs(int pixel, int count) {
        if (shifted) {
            return imageRuns(pixel, count);
        }
        int oh = g.outH();
        int ow = g.outW();
        int ohw = oh * ow;
        int image = pixel / ohw;
        int oy = pixel % ohw / ow;
        int ox = pixel % ow;
        int planeSize = g.inH() * g.inW();
        int plane = ((firstImage + image) * g.inChannels() + group * g.inChannelsPerGroup()) * planeSize;
        int[] runs = new int[1 + 4 * (count / ow + 2)];
        int n = 0;
        while (count > 0) {
            int len = Math.min(count, ow - ox);
            int r = 1 + 4 * n++;
            runs[r] = plane;
            runs[r + 1] = oy;
            runs[r + 2] = ox;
            runs[r + 3] = len;
            count -= len;
            ox = 0;
            if (++oy == oh) {
                oy = 0;
                plane += g.inChannels() * planeSize;
            }
        }
        runs[0] = n;
        return runs;
    }

    /** Writes tap (ic, ky, kx) at the pixels of {@code runs} to out[off], out[off + step], ... */
    private void gather(int[] runs, int ic, int ky, int kx, float[] out, int off, int step) {
        if (shifted) {
            gatherShifted(runs, ic, ky, kx, out, off, step);
            return;
        }
        int h = g.inH();
        int w = g.inW();
        int sw = g.strideW();
        int channel = ic * h * w;
        int ix0 = kx * g.dilationW() - g.padLeft();
        int iy0 = ky * g.dilationH() - g.padTop();
        int lo0 = oxLo[kx];
        int hi0 = oxHi[kx];
        int o = off;
        for (int r = 1, end = 1 + 4 * runs[0]; r < end; r += 4) {
            int ox = runs[r + 2];
            int stop = ox + runs[r + 3];
            int iy = runs[r + 1] * g.strideH() + iy0;
            if (iy < 0 || iy >= h) {
                for (int t = ox; t < stop; t++, o += step) {
                    out[o] = 0f;
                }
                continue;
            }
            int lo = Math.min(stop, Math.max(ox, lo0));
            int hi = Math.max(lo, Math.min(stop, hi0));
            for (int t = ox; t < lo; t++, o += step) {
                out[o] = 0f;
            }
            int src = runs[r] + channel + iy * w + ix0 + lo * sw;
            if (step == 1 && sw == 1) {
                if (hi - lo >= 32) {
                    System.arraycopy(x, src, out, o, hi - lo);
                } else {
                    for (int t = 0; t < hi - lo; t++) {
                        out[o + t] = x[src + t];
                    }
                }
                o += hi - lo;
            } else if (step == 1 && sw == 2) {
                // Stride 2 (a network's first layer): the even floats of two vectors per vector written.
                int t = lo;
                for (; t + L <= hi && src + 2 * L <= x.length; t += L, o += L, src += 2 * L) {
                    FloatVector.fromArray(S, x, src).rearrange(EVENS)
                            .blend(FloatVector.fromArray(S, x, src + L).rearrange(EVENS), UPPER_HALF)
                            .intoArray(out, o);
                }
                if (t < hi && src + 2 * L <= x.length) {
                    // The rest of the run (an output row is rarely a whole number of vectors) as one masked store.
                    FloatVector.fromArray(S, x, src).rearrange(EVENS)
                            .blend(FloatVector.fromArray(S, x, src + L).rearrange(EVENS), UPPER_HALF)
                            .intoArray(out, o, S.indexInRange(0, hi - t));
                    o += hi - t;
                    src += 2 * (hi - t);
                    t = hi;
                }
                for (; t < hi; t++, o++, src += 2) {
                    out[o] = x[src];
                }
            } else {
                for (int t = lo; t < hi; t++, o += step, src += sw) {
                    out[o] = x[src];
                }
            }
            for (int t = hi; t < stop; t++, o += step) {
                out[o] = 0f;
            }
        }
    }

    private int[] imageRuns(int pixel, int count) {
        int ohw = g.outH() * g.outW();
        int planeSize = g.inH() * g.inW();
        int image = pixel / ohw;
        int p = pixel % ohw;
        int[] runs = new int[1 + 4 * (count / ohw + 2)];
        int n = 0;
        while (count > 0) {
            int len = Math.min(count, ohw - p);
            int r = 1 + 4 * n++;
            runs[r] = ((firstImage + image) * g.inChannels() + group * g.inChannelsPerGroup()) * planeSize;
            runs[r + 1] = p / g.outW();
            runs[r + 2] = p % g.outW();
            runs[r + 3] = len;
            count -= len;
            p = 0;
            image++;
        }
        runs[0] = n;
        return runs;
    }

    /**
     * The shifted case: per image run, one copy of the plane shifted by (dy, dx), zeros for the rows
     * outside the input, then zeros over the few columns per row the shift wrapped in from a
     * neighbouring row.
     */
    private void gatherShifted(int[] runs, int ic, int ky, int kx, float[] out, int off, int step) {
        int w = g.inW();
        int oh = g.outH();
        int dy = ky * g.dilationH() - g.padTop();
        int dx = kx * g.dilationW() - g.padLeft();
        int rowLo = Math.min(oh, Math.max(0, -dy));
        int rowHi = Math.max(rowLo, Math.min(oh, g.inH() - dy));
        int colLo = oxLo[kx];
        int colHi = oxHi[kx];
        // Pixels whose source lies inside the plane: from the first valid column of the first valid row
        // to the last valid column of the last valid row.
        int first = rowLo * w + colLo;
        int last = colHi > colLo ? (rowHi - 1) * w + colHi : first;
        int o = off;
        for (int r = 1, end = 1 + 4 * runs[0]; r < end; r += 4) {
            int p0 = runs[r + 1] * w + runs[r + 2];
            int p1 = p0 + runs[r + 3];
            int a = Math.min(p1, Math.max(p0, first));
            int b = Math.max(a, Math.min(p1, last));
            int src = runs[r] + ic * g.inH() * w + dy * w + dx;
            int t = o;
            for (int p = p0; p < a; p++, t += step) {
                out[t] = 0f;
            }
            if (step == 1) {
                if (b - a >= 32) {
                    System.arraycopy(x, src + a, out, t, b - a);
                } else {
                    for (int p = a; p < b; p++) {
                        out[t + p - a] = x[src + p];
                    }
                }
                t += b - a;
            } else {
                for (int p = a; p < b; p++, t += step) {
                    out[t] = x[src + p];
                }
            }
            for (int p = b; p < p1; p++, t += step) {
                out[t] = 0f;
            }
            // Columns outside [colLo, colHi) of the rows the copy spanned read a neighbouring row.
            if (a < b && (colLo > 0 || colHi < w)) {
                for (int row = a / w; row * w < b; row++) {
                    int rowStart = row * w;
                    for (int c = Math.max(0, a - rowStart); c < Math.min(colLo, b - rowStart); c++) {
                        out[o + (rowStart + c - p0) * step] = 0f;
                    }
                    for (int c = Math.max(colHi, a - rowStart); c < Math.min(w, b - rowStart); c++) {
                        out[o + (rowStart + c - p0) * step] = 0f;
                    }
                }
            }
            o = t;
        }
    }

    private int ohw() {
        return g.outH() * g.outW();
    }

    /** On a {@link #shifted} map: where tap (ic, ky, kx) of a pixel reads, from the pixel in its group's planes. */
    private int shiftOf(int ic, int ky, int kx) {
        return ic * g.inH() * g.inW() + (ky * g.dilationH() - g.padTop()) * g.inW() + kx * g.dilationW() - g.padLeft();
    }

    /**
     * A full sliver inside one image of a {@link #shifted} layer: each row is the plane shifted by its
     * tap, so it is nr consecutive floats of x, ANDed with a per-tap lane mask that zeroes the padding
     * (a mask, not a multiply, so a NaN next to the border cannot leak in). Taps that read inside the
     * input for every column of the sliver are copied as they are. Rows whose read would leave the
     * array take the gathering path.
     */
    private void packShifted(int pc, int kc, int j0, int nr, float[] dst, int base) {
        int kh = g.kernelH();
        int kw = g.kernelW();
        int plane = g.inH() * g.inW();
        int image = j0 / ohw();
        int p0 = j0 % ohw();
        int imageBase = ((firstImage + image) * g.inChannels() + group * g.inChannelsPerGroup()) * plane;
        ShiftMask shiftMask = ShiftMask.of(g, oxLo, oxHi, p0, nr);
        int[] mask = shiftMask.lanes();
        boolean[] inside = shiftMask.inside();
        int[] runs = null;
        int ic = pc / (kh * kw);
        int ky = pc / kw % kh;
        int kx = pc % kw;
        for (int p = 0; p < kc; p++) {
            int d = base + p * nr;
            int tap = ky * kw + kx;
            int src = imageBase + p0 + shiftOf(ic, ky, kx);
            if (src >= 0 && src + nr <= x.length) {
                if (inside[tap]) {
                    for (int v = 0; v < nr; v += L) {
                        FloatVector.fromArray(S, x, src + v).intoArray(dst, d + v);
                    }
                } else {
                    int m = tap * nr;
                    for (int v = 0; v < nr; v += L) {
                        FloatVector.fromArray(S, x, src + v).reinterpretAsInts()
                                .and(IntVector.fromArray(IS, mask, m + v)).reinterpretAsFloats().intoArray(dst, d + v);
                    }
                }
            } else {
                if (runs == null) {
                    runs = runs(j0, nr);
                }
                gather(runs, ic, ky, kx, dst, d, 1);
            }
            if (++kx == kw) {
                kx = 0;
                if (++ky == kh) {
                    ky = 0;
                    ic++;
                }
            }
        }
    }

    /**
     * A full sliver over several images of a {@link #shifted} layer whose images are whole vectors (a small map:
     * 8x8, 4x4): as {@link #packShifted}, but each vector lies in one image and reads that image's plane shifted,
     * masked with the lanes of its own pixels. A vector whose read would leave the array copies lane by lane.
     */
    private void packShiftedImages(int pc, int kc, int j0, int nr, float[] dst, int base) {
        int kh = g.kernelH();
        int kw = g.kernelW();
        int plane = g.inH() * g.inW();
        int ohw = ohw();
        int imageStride = g.inChannels() * plane;
        int[] mask = imageMask;
        int groupBase = (firstImage * g.inChannels() + group * g.inChannelsPerGroup()) * plane;
        // Per vector of the sliver: where its pixels start in their image's plane, and in the masks.
        int[] vectorOffset = new int[nr / L];
        int[] vectorPixel = new int[nr / L];
        for (int v = 0; v < nr / L; v++) {
            int pixel = j0 + v * L;
            vectorPixel[v] = pixel % ohw;
            vectorOffset[v] = pixel / ohw * imageStride + vectorPixel[v];
        }
        int ic = pc / (kh * kw);
        int ky = pc / kw % kh;
        int kx = pc % kw;
        for (int p = 0; p < kc; p++) {
            int d = base + p * nr;
            int tap = ky * kw + kx;
            int shift = groupBase + shiftOf(ic, ky, kx);
            for (int v = 0; v < nr; v += L) {
                int src = shift + vectorOffset[v / L];
                int m = tap * ohw + vectorPixel[v / L];
                if (src >= 0 && src + L <= x.length) {
                    FloatVector.fromArray(S, x, src).reinterpretAsInts()
                            .and(IntVector.fromArray(IS, mask, m)).reinterpretAsFloats().intoArray(dst, d + v);
                } else {
                    for (int l = 0; l < L; l++) {
                        dst[d + v + l] = mask[m + l] != 0 ? x[src + l] : 0f;
                    }
                }
            }
            if (++kx == kw) {
                kx = 0;
                if (++ky == kh) {
                    ky = 0;
                    ic++;
                }
            }
        }
    }

    /**
     * Any sliver: per tap, the offset of every column's source pixel from the first image's channel
     * plane and a lane mask that zeroes the padding; each row is then one gather per vector.
     */
    private void packIndexed(int pc, int kc, int j0, int width, int nr, float[] dst, int base) {
        int kh = g.kernelH();
        int kw = g.kernelW();
        int plane = g.inH() * g.inW();
        int firstOfSliver = j0 / ohw();
        Taps t = taps(j0, width, nr);
        int[] index = t.index();
        int[] mask = t.mask();
        int channel0 = ((firstImage + firstOfSliver) * g.inChannels() + group * g.inChannelsPerGroup()) * plane;
        int ic = pc / (kh * kw);
        int ky = pc / kw % kh;
        int kx = pc % kw;
        for (int p = 0; p < kc; p++) {
            int d = base + p * nr;
            int src = channel0 + ic * plane;
            int m = (ky * kw + kx) * nr;
            for (int v = 0; v < nr; v += L) {
                FloatVector.fromArray(S, x, src, index, m + v).reinterpretAsInts()
                        .and(IntVector.fromArray(IS, mask, m + v)).reinterpretAsFloats().intoArray(dst, d + v);
            }
            if (++kx == kw) {
                kx = 0;
                if (++ky == kh) {
                    ky = 0;
                    ic++;
                }
            }
        }
    }

    /**
     * {@link #packIndexed}'s index vectors and lane masks for a sliver: the same for every k block of the sliver
     * and for every sliver that starts at the same pixel of an image (every sliver, where a sliver is whole
     * images), so they are kept for the next call. Built per call, they took about as long as the gathers on a
     * stride-2 layer's blocks of 116 rows.
     */
    private Taps taps(int j0, int width, int nr) {
        int ohw = ohw();
        int offset = j0 % ohw;
        Taps t = taps;
        if (t != null && t.offset() == offset && t.width() == width && t.nr() == nr) {
            return t;
        }
        int kh = g.kernelH();
        int kw = g.kernelW();
        int w = g.inW();
        int h = g.inH();
        int ow = g.outW();
        int imageStride = g.inChannels() * h * w;
        int firstOfSliver = j0 / ohw;
        int[] index = new int[kh * kw * nr];
        int[] mask = new int[kh * kw * nr];
        for (int j = 0; j < width; j++) {
            int pixel = j0 + j;
            int q = pixel % ohw;
            int oy = q / ow;
            int ox = q % ow;
            int image = (pixel / ohw - firstOfSliver) * imageStride;
            for (int ky = 0; ky < kh; ky++) {
                int iy = oy * g.strideH() + ky * g.dilationH() - g.padTop();
                for (int kx = 0; kx < kw; kx++) {
                    int ix = ox * g.strideW() + kx * g.dilationW() - g.padLeft();
                    if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                        int at = (ky * kw + kx) * nr + j;
                        index[at] = image + iy * w + ix;
                        mask[at] = -1;
                    }
                }
            }
        }
        t = new Taps(offset, width, nr, index, mask);
        taps = t;
        return t;
    }

    /** A sliver's gather indices and masks, for its first pixel's offset within an image, its width and stride. */
    private record Taps(int offset, int width, int nr, int[] index, int[] mask) {
    }

    /**
     * The transposed matrix (the weight gradient's): per pixel row, the sliver's taps as index
     * vectors from the pixel's corner in the input, lanes outside the input (or past the sliver)
     * pointed at element 0 and zeroed after the gather.
     */
    private void packIndexedTransposed(int pc, int kc, int j0, int width, int nr, float[] dst, int base) {
        int kh = g.kernelH();
        int kw = g.kernelW();
        int w = g.inW();
        int h = g.inH();
        int ow = g.outW();
        int oh = g.outH();
        int plane = h * w;
        int[] tapDy = new int[nr];
        int[] tapDx = new int[nr];
        int[] tapOffset = new int[nr];
        for (int j = 0; j < nr; j++) {
            if (j < width) {
                int tap = j0 + j;
                tapDy[j] = tap / kw % kh * g.dilationH();
                tapDx[j] = tap % kw * g.dilationW();
                tapOffset[j] = tap / (kh * kw) * plane + tapDy[j] * w + tapDx[j];
            } else {
                tapDy[j] = -(1 << 28);
            }
        }
        int[] index = new int[L];
        int image = firstImage + pc / ohw();
        int oy = pc % ohw() / ow;
        int ox = pc % ow;
        int imageSize = g.inChannels() * plane;
        int channels = image * imageSize + group * g.inChannelsPerGroup() * plane;
        for (int p = 0; p < kc; p++) {
            int iy0 = oy * g.strideH() - g.padTop();
            int ix0 = ox * g.strideW() - g.padLeft();
            int corner = channels + iy0 * w + ix0;
            int d = base + p * nr;
            for (int v = 0; v < nr; v += L) {
                IntVector iy = IntVector.fromArray(IS, tapDy, v).add(iy0);
                IntVector ix = IntVector.fromArray(IS, tapDx, v).add(ix0);
                VectorMask<Integer> inside = iy.compare(VectorOperators.ULT, h)
                        .and(ix.compare(VectorOperators.ULT, w));
                IntVector.fromArray(IS, tapOffset, v).add(corner).blend(0, inside.not()).intoArray(index, 0);
                FloatVector.zero(S).blend(FloatVector.fromArray(S, x, 0, index, 0), inside.cast(S))
                        .intoArray(dst, d + v);
            }
            if (++ox == ow) {
                ox = 0;
                if (++oy == oh) {
                    oy = 0;
                    channels += imageSize;
                }
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return Math.floorDiv(a + b - 1, b);
    }
}
