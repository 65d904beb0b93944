package dev.fineturn.cpu;

import dev.fineturn.spi.GemmSpec;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packed, blocked SGEMM with a 2 x (5 vectors) register-tiled micro-kernel (the shape that measured
 * fastest under C2 on AVX2: 10 accumulators leave registers for the B loads, so nothing spills). Panels of A and B are
 * packed (transposes resolved while packing) so the micro-kernel streams both contiguously.
 */
final class VectorGemm {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int L = SPECIES.length();
    /** Wide tile: 2 rows x 5 vectors, for outputs at least 2 tiles wide. */
    static final int MR = 2;
    static final int NR = 5 * L;
    /** Narrow tile: 4 rows x 2 vectors, for narrow outputs (e.g. convolutions on small feature maps). */
    static final int MR_NARROW = 4;
    static final int NR_NARROW = 2 * L;
    private static final int KC = 192;
    private static final int MC = 96;
    private static final int NC = 3072;
    /** Blocks with fewer multiply-adds than this run on the calling thread: forking costs more. */
    private static final double SERIAL_WORK = 1 << 24;

    private static final ThreadLocal<float[]> PACK_A = ThreadLocal.withInitial(() -> new float[MC * KC]);
    private static final ThreadLocal<float[]> PACK_B = ThreadLocal.withInitial(() -> new float[0]);

    private VectorGemm() {
    }

    /**
     * op(A) packed once for several products with the same A (a convolution's weights against
     * several image chunks): every k block's slivers for tile height {@code mr}, block pc at
     * {@code mPadded * pc}.
     */
    record PackedA(float[] data, int mr, int m, int k, boolean transA) {
    }

    /** Packs op(A) for products whose output is {@code n} columns wide. */
    static PackedA pack(GemmSpec s, float[] a, int aOff) {
        int mr = tileRows(s.n());
        int mPadded = (s.m() + mr - 1) / mr * mr;
        float[] data = new float[mPadded * s.k()];
        int kBlocks = (s.k() + KC - 1) / KC;
        int slivers = mPadded / mr;
        // Row parts per k block, so that every thread has a share even when k is one or two blocks.
        int parts = Math.max(1, Math.min(slivers, CpuPool.threads()));
        java.util.function.IntConsumer task = t -> {
            int pc = t / parts * KC;
            int kc = Math.min(KC, s.k() - pc);
            int part = t % parts;
            int from = slivers * part / parts * mr;
            int to = Math.min(s.m(), slivers * (part + 1) / parts * mr);
            if (from < to) {
                packA(s, a, aOff, from, to - from, pc, kc, mr, data, mPadded * pc + from * kc);
            }
        };
        if ((double) s.m() * s.k() < SERIAL_WORK / 64) {
            for (int t = 0; t < kBlocks * parts; t++) {
                task.accept(t);
            }
        } else {
            CpuPool.parallelFor(kBlocks * parts, task);
        }
        return new PackedA(data, mr, s.m(), s.k(), s.transA());
    }

    /** C = alpha * op(A) op(B) + beta * C with op(A) from {@link #pack}; a single product (batch 1). */
    static void gemm(GemmSpec s, float alpha, PackedA a, float[] b, int bOff, float beta, float[] c, int cOff) {
        gemm(s, alpha, a, matrixB(s, b, bOff), beta, c, cOff);
    }

    /** As above with op(B) packed from {@code b} sliver by sliver (batch 1). */
    static void gemm(GemmSpec s, float alpha, PackedA a, PanelSource b, float beta, float[] c, int cOff) {
        if (s.batch() != 1 || s.m() != a.m() || s.k() != a.k() || s.transA() != a.transA()) {
            throw new IllegalArgumentException("packed A " + a.m() + "x" + a.k() + " does not fit " + s);
        }
        single(s, alpha, null, 0, a, b, beta, c, cOff);
    }

    /** C = alpha * op(A) op(B) + beta * C with op(B) packed from {@code b} sliver by sliver (batch 1). */
    static void gemm(GemmSpec s, float alpha, float[] a, int aOff, PanelSource b, float beta, float[] c, int cOff) {
        if (s.batch() != 1) {
            throw new IllegalArgumentException("a panel source feeds one product, not " + s);
        }
        single(s, alpha, a, aOff, null, b, beta, c, cOff);
    }

    private static PanelSource matrixB(GemmSpec s, float[] b, int bOff) {
        return new PanelSource.Matrix(b, bOff, s.k(), s.n(), s.transB());
    }

    /** Micro-tile height for outputs {@code n} columns wide: the wide tile from two tiles' width on. */
    private static int tileRows(int n) {
        return n >= 2 * NR ? MR : MR_NARROW;
    }

    static void gemm(GemmSpec s, float alpha, float[] a, int aOff, float[] b, int bOff, float beta, float[] c,
                     int cOff) {
        for (int bt = 0; bt < s.batch(); bt++) {
            single(s, alpha, a, aOff + (int) (bt * s.strideA()), null,
                    matrixB(s, b, bOff + (int) (bt * s.strideB())), beta, c, cOff + (int) (bt * s.strideC()));
        }
    }

    /**
     * One product; A comes packed ({@code packed}, when its tile height fits this product) or raw.
     * Threads split the output into column strips (row strips when it is narrow), and each runs the
     * whole blocked product on its strip with its own packed panels: one fork per product, no
     * shared panels between threads.
     */
    private static void single(GemmSpec s, float alpha, float[] a, int aOff, PackedA packed, PanelSource b,
                               float beta, float[] c, int cOff) {
        int m = s.m();
        int n = s.n();
        int k = s.k();
        int mr = tileRows(n);
        int nr = n >= 2 * NR ? NR : NR_NARROW;
        if (packed != null && packed.mr() != mr) {
            throw new IllegalArgumentException("A was packed for " + packed.mr() + "-row tiles; this product uses "
                    + mr);
        }
        if (m == 0 || n == 0) {
            return;
        }
        int threads = CpuPool.threads();
        if (threads == 1 || (double) m * n * k < SERIAL_WORK) {
            strip(s, alpha, a, aOff, packed, b, beta, c, cOff, 0, m, 0, n);
            return;
        }
        int slivers = (n + nr - 1) / nr;
        if (slivers >= 2 * threads) {
            int parts = Math.min(slivers / 2, threads);
            CpuPool.parallelFor(parts, part -> strip(s, alpha, a, aOff, packed, b, beta, c, cOff, 0, m,
                    slivers * part / parts * nr, Math.min(n, slivers * (part + 1) / parts * nr)));
            return;
        }
        int tiles = (m + mr - 1) / mr;
        int parts = Math.max(1, Math.min(tiles, threads));
        CpuPool.parallelFor(parts, part -> strip(s, alpha, a, aOff, packed, b, beta, c, cOff,
                tiles * part / parts * mr, Math.min(m, tiles * (part + 1) / parts * mr), 0, n));
    }

    /** C[r0, r1) x [j0, j1) of one product, blocked and packed on the calling thread; r0 is a tile-row multiple. */
    private static void strip(GemmSpec s, float alpha, float[] a, int aOff, PackedA packed, PanelSource b,
                              float beta, float[] c, int cOff, int r0, int r1, int j0, int j1) {
        int m = s.m();
        int n = s.n();
        int k = s.k();
        boolean wide = n >= 2 * NR;
        int mr = tileRows(n);
        int nr = wide ? NR : NR_NARROW;
        int mPadded = (m + mr - 1) / mr * mr;
        if (j0 == 0 && j1 == n) {
            scale(c, cOff + r0 * n, (r1 - r0) * n, beta);
        } else {
            for (int r = r0; r < r1; r++) {
                scale(c, cOff + r * n + j0, j1 - j0, beta);
            }
        }
        if (k == 0 || alpha == 0f) {
            return;
        }
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            int slivers = (nc + nr - 1) / nr;
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                float[] pb = PACK_B.get();
                if (pb.length < slivers * nr * kc) {
                    pb = new float[slivers * nr * kc];
                    PACK_B.set(pb);
                }
                for (int sl = 0; sl < slivers; sl++) {
                    int js = jc + sl * nr;
                    b.pack(pc, kc, js, Math.min(nr, jc + nc - js), nr, pb, sl * kc * nr);
                }
                for (int ic = r0; ic < r1; ic += MC) {
                    int mc = Math.min(MC, r1 - ic);
                    float[] pa;
                    int aStart;
                    if (packed != null) {
                        pa = packed.data();
                        aStart = mPadded * pc + ic * kc;
                    } else {
                        pa = PACK_A.get();
                        aStart = 0;
                        packA(s, a, aOff, ic, mc, pc, kc, mr, pa, 0);
                    }
                    macroKernel(pa, aStart, pb, mc, kc, 0, slivers, nc, alpha, c, cOff + ic * n + jc, n, wide);
                }
            }
        }
    }

    private static void scale(float[] c, int off, int len, float beta) {
        if (beta == 1f) {
            return;
        }
        if (beta == 0f) {
            java.util.Arrays.fill(c, off, off + len, 0f);
            return;
        }
        int i = 0;
        for (; i <= len - L; i += L) {
            FloatVector.fromArray(SPECIES, c, off + i).mul(beta).intoArray(c, off + i);
        }
        for (; i < len; i++) {
            c[off + i] *= beta;
        }
    }

    /** Packs op(A)[ic..ic+mc, pc..pc+kc] as slivers [mc/MR][kc][MR], zero-padded. */
    private static void packA(GemmSpec s, float[] a, int aOff, int ic, int mc, int pc, int kc, int mr, float[] dst,
                              int dstOff) {
        int m = s.m();
        int k = s.k();
        int slivers = (mc + mr - 1) / mr;
        for (int sl = 0; sl < slivers; sl++) {
            int i0 = ic + sl * mr;
            int height = Math.min(mr, ic + mc - i0);
            int base = dstOff + sl * kc * mr;
            if (s.transA()) {
                for (int p = 0; p < kc; p++) {
                    int d = base + p * mr;
                    int src = aOff + (pc + p) * m + i0;
                    for (int r = 0; r < height; r++) {
                        dst[d + r] = a[src + r];
                    }
                    for (int r = height; r < mr; r++) {
                        dst[d + r] = 0f;
                    }
                }
                continue;
            }
            if (height == mr) {
                // A full sliver: mr rows read side by side along k, written contiguously.
                int src = aOff + i0 * k + pc;
                if (mr == 2) {
                    for (int p = 0, d = base; p < kc; p++, d += 2) {
                        dst[d] = a[src + p];
                        dst[d + 1] = a[src + k + p];
                    }
                } else {
                    for (int p = 0, d = base; p < kc; p++, d += mr) {
                        for (int r = 0, sr = src + p; r < mr; r++, sr += k) {
                            dst[d + r] = a[sr];
                        }
                    }
                }
                continue;
            }
            // Rows of A are contiguous in k: read each along k, write with stride mr.
            for (int r = 0; r < height; r++) {
                int src = aOff + (i0 + r) * k + pc;
                for (int p = 0, d = base + r; p < kc; p++, d += mr) {
                    dst[d] = a[src + p];
                }
            }
            for (int r = height; r < mr; r++) {
                for (int p = 0, d = base + r; p < kc; p++, d += mr) {
                    dst[d] = 0f;
                }
            }
        }
    }

    private static void macroKernel(float[] pa, int aStart, float[] pb, int mc, int kc, int sliverFrom,
                                    int sliverTo, int nc, float alpha, float[] c, int cOff, int ldc, boolean wide) {
        int mr = wide ? MR : MR_NARROW;
        int nr = wide ? NR : NR_NARROW;
        float[] edge = null;
        for (int sl = sliverFrom; sl < sliverTo; sl++) {
            int j0 = sl * nr;
            int width = Math.min(nr, nc - j0);
            for (int i0 = 0; i0 < mc; i0 += mr) {
                int height = Math.min(mr, mc - i0);
                int aBase = aStart + (i0 / mr) * kc * mr;
                int bBase = sl * kc * nr;
                if (width == nr && height == mr) {
                    if (wide) {
                        wideKernel(pa, aBase, pb, bBase, kc, alpha, c, cOff + i0 * ldc + j0, ldc);
                    } else {
                        narrowKernel(pa, aBase, pb, bBase, kc, alpha, c, cOff + i0 * ldc + j0, ldc);
                    }
                } else {
                    if (edge == null) {
                        edge = new float[mr * nr];
                    } else {
                        java.util.Arrays.fill(edge, 0f);
                    }
                    if (wide) {
                        wideKernel(pa, aBase, pb, bBase, kc, alpha, edge, 0, nr);
                    } else {
                        narrowKernel(pa, aBase, pb, bBase, kc, alpha, edge, 0, nr);
                    }
                    for (int r = 0; r < height; r++) {
                        int co = cOff + (i0 + r) * ldc + j0;
                        for (int j = 0; j < width; j++) {
                            c[co + j] += edge[r * nr + j];
                        }
                    }
                }
            }
        }
    }

    /** C[4 x 2 vectors] += alpha * Apanel[4 x kc] * Bpanel[kc x 2 vectors]. */
    private static void narrowKernel(float[] pa, int aBase, float[] pb, int bBase, int kc, float alpha, float[] c,
                                     int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        FloatVector c31 = FloatVector.zero(SPECIES);
        for (int p = 0; p < kc; p++) {
            int ai = aBase + p * MR_NARROW;
            int bi = bBase + p * NR_NARROW;
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + L);
            FloatVector a0 = FloatVector.broadcast(SPECIES, pa[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(SPECIES, pa[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(SPECIES, pa[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(SPECIES, pa[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        int o = cOff;
        FloatVector.fromArray(SPECIES, c, o).add(c00.mul(alpha)).intoArray(c, o);
        FloatVector.fromArray(SPECIES, c, o + L).add(c01.mul(alpha)).intoArray(c, o + L);
        o += ldc;
        FloatVector.fromArray(SPECIES, c, o).add(c10.mul(alpha)).intoArray(c, o);
        FloatVector.fromArray(SPECIES, c, o + L).add(c11.mul(alpha)).intoArray(c, o + L);
        o += ldc;
        FloatVector.fromArray(SPECIES, c, o).add(c20.mul(alpha)).intoArray(c, o);
        FloatVector.fromArray(SPECIES, c, o + L).add(c21.mul(alpha)).intoArray(c, o + L);
        o += ldc;
        FloatVector.fromArray(SPECIES, c, o).add(c30.mul(alpha)).intoArray(c, o);
        FloatVector.fromArray(SPECIES, c, o + L).add(c31.mul(alpha)).intoArray(c, o + L);
    }

    /** C[2 x NR] += alpha * Apanel[2 x kc] * Bpanel[kc x NR]; accumulators stay in registers. */
    private static void wideKernel(float[] pa, int aBase, float[] pb, int bBase, int kc, float alpha, float[] c,
                                    int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = FloatVector.zero(SPECIES);
        FloatVector c02 = FloatVector.zero(SPECIES);
        FloatVector c03 = FloatVector.zero(SPECIES);
        FloatVector c04 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c11 = FloatVector.zero(SPECIES);
        FloatVector c12 = FloatVector.zero(SPECIES);
        FloatVector c13 = FloatVector.zero(SPECIES);
        FloatVector c14 = FloatVector.zero(SPECIES);
        for (int p = 0; p < kc; p++) {
            int ai = aBase + p * MR;
            int bi = bBase + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + L);
            FloatVector b2 = FloatVector.fromArray(SPECIES, pb, bi + 2 * L);
            FloatVector b3 = FloatVector.fromArray(SPECIES, pb, bi + 3 * L);
            FloatVector b4 = FloatVector.fromArray(SPECIES, pb, bi + 4 * L);
            FloatVector a0 = FloatVector.broadcast(SPECIES, pa[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            c03 = a0.fma(b3, c03);
            c04 = a0.fma(b4, c04);
            FloatVector a1 = FloatVector.broadcast(SPECIES, pa[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            c13 = a1.fma(b3, c13);
            c14 = a1.fma(b4, c14);
        }
        int o = cOff;
        FloatVector.fromArray(SPECIES, c, o).add(c00.mul(alpha)).intoArray(c, o);
        FloatVector.fromArray(SPECIES, c, o + L).add(c01.mul(alpha)).intoArray(c, o + L);
        FloatVector.fromArray(SPECIES, c, o + 2 * L).add(c02.mul(alpha)).intoArray(c, o + 2 * L);
        FloatVector.fromArray(SPECIES, c, o + 3 * L).add(c03.mul(alpha)).intoArray(c, o + 3 * L);
        FloatVector.fromArray(SPECIES, c, o + 4 * L).add(c04.mul(alpha)).intoArray(c, o + 4 * L);
        o += ldc;
        FloatVector.fromArray(SPECIES, c, o).add(c10.mul(alpha)).intoArray(c, o);
        FloatVector.fromArray(SPECIES, c, o + L).add(c11.mul(alpha)).intoArray(c, o + L);
        FloatVector.fromArray(SPECIES, c, o + 2 * L).add(c12.mul(alpha)).intoArray(c, o + 2 * L);
        FloatVector.fromArray(SPECIES, c, o + 3 * L).add(c13.mul(alpha)).intoArray(c, o + 3 * L);
        FloatVector.fromArray(SPECIES, c, o + 4 * L).add(c14.mul(alpha)).intoArray(c, o + 4 * L);
    }
}
