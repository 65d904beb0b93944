package dev.fineturn.cpu;

import dev.fineturn.spi.ConvGeometry;

/**
 * Which columns of a shifted im2col sliver read inside the input, per tap: {@code lanes[tap * nr + j]}
 * is -1 where tap (ky, kx) of pixel p0 + j lies inside the image and 0 in the padding, and
 * {@code inside[tap]} says that all nr columns do. Slivers at the same pixel of every image and k
 * block share one mask, so each thread keeps the masks of the geometry it last packed.
 */
record ShiftMask(int[] lanes, boolean[] inside) {
    private record Key(int inH, int inW, int outH, int kernelH, int kernelW, int dilationH, int dilationW,
                       int padTop, int padLeft) {
    }

    private static final class Cache {
        Key key;
        /** byWidth[nr][p0]: both sliver widths of a layer (wide slivers and the narrow remainder panels) stay cached. */
        ShiftMask[][] byWidth = new ShiftMask[0][];
    }

    private static final ThreadLocal<Cache> CACHE = ThreadLocal.withInitial(Cache::new);

    /** The masks of the sliver starting at pixel {@code p0} of a stride-1 layer whose output is as wide as its input. */
    static ShiftMask of(ConvGeometry g, int[] oxLo, int[] oxHi, int p0, int nr) {
        Key key = new Key(g.inH(), g.inW(), g.outH(), g.kernelH(), g.kernelW(), g.dilationH(), g.dilationW(),
                g.padTop(), g.padLeft());
        Cache cache = CACHE.get();
        if (!key.equals(cache.key)) {
            cache.key = key;
            cache.byWidth = new ShiftMask[0][];
        }
        if (cache.byWidth.length <= nr) {
            cache.byWidth = java.util.Arrays.copyOf(cache.byWidth, nr + 1);
        }
        ShiftMask[] byPixel = cache.byWidth[nr];
        if (byPixel == null) {
            byPixel = new ShiftMask[g.outH() * g.outW()];
            cache.byWidth[nr] = byPixel;
        }
        ShiftMask m = byPixel[p0];
        if (m == null) {
            m = compute(g, oxLo, oxHi, p0, nr);
            byPixel[p0] = m;
        }
        return m;
    }

    private static ShiftMask compute(ConvGeometry g, int[] oxLo, int[] oxHi, int p0, int nr) {
        int kh = g.kernelH();
        int kw = g.kernelW();
        int w = g.inW();
        int h = g.inH();
        int[] lanes = new int[kh * kw * nr];
        boolean[] inside = new boolean[kh * kw];
        java.util.Arrays.fill(inside, true);
        for (int j = 0, oy = p0 / w, ox = p0 % w; j < nr; j++) {
            for (int ky = 0; ky < kh; ky++) {
                int iy = oy + ky * g.dilationH() - g.padTop();
                boolean rowInside = iy >= 0 && iy < h;
                for (int kx = 0; kx < kw; kx++) {
                    boolean in = rowInside && ox >= oxLo[kx] && ox < oxHi[kx];
                    lanes[(ky * kw + kx) * nr + j] = in ? -1 : 0;
                    inside[ky * kw + kx] &= in;
                }
            }
            if (++ox == w) {
                ox = 0;
                oy++;
            }
        }
        return new ShiftMask(lanes, inside);
    }
}
