package dev.fineturn.opencl;

import dev.fineturn.spi.Storage;

/**
 * GEMM on packed panels (packed_gemm.cl), the path for CPU devices: the k dimension runs in chunks
 * ({@link #kChunk}), batches and columns in slices bounded by {@link #PANEL_FLOATS}, so each chunk packs
 * its panels into the backend's scratch buffer and one register-blocked kernel multiplies them.
 * Chunks after the first accumulate into C with beta = 1.
 */
final class ClPackedGemm {
    static final int MR = 6;
    static final int NR = 16;
    static final int KCH = 16;
    static final int KC = 256;
    /** Upper bound on the A panels and on the B panels of one chunk, in floats, across the batch slice. */
    static final long PANEL_FLOATS = 1L << 20;

    static final int MATRIX = 0;
    static final int IM2COL = 1;
    static final int DY_GATHER = 2;
    static final int WEIGHTS_T = 2;
    static final int IM2COL_ROWS = 3;
    static final int DY_T = 3;
    /** The k chunk for narrow outputs (few column panels), where short chunks would mean many launches. */
    static final int LONG_KC = 2048;
    /** The convolution geometry argument of plain matrix products: all ones, so no kernel divides by zero. */
    static final int[] NO_GEOMETRY = {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1};

    /** An operand: how to gather it (mode) and where from; offset and batch stride in floats. */
    record Source(int mode, boolean transposed, Storage data, int offset, int batchStride) {
    }

    /** Element (row, col) of batch b lives at offset + b * batchStride + (col / cp) * cis + row * rs + col % cp. */
    record Target(Storage data, int offset, int batchStride, int cp, int cis, int rs) {
        static Target matrix(Storage data, int offset, int batchStride, int n) {
            return new Target(data, offset, batchStride, Math.max(1, n), 0, n);
        }
    }

    private ClPackedGemm() {
    }

    /** C[b] = alpha * op(A[b]) op(B[b]) + beta * C[b] for {@code batch} products of m x k by k x n. */
    static void run(ClLauncher be, int[] geo, int batch, int m, int n, int k, float alpha, Source a, Source b,
                    float beta, Target c) {
        if (m == 0 || n == 0 || batch == 0) {
            return;
        }
        int mb = ceil(m, MR);
        int kcStep = kChunk(n);
        int kcMax = Math.min(kcStep, k);
        int slice = batchSlice(batch, mb, kcMax);
        int ncMax = columnChunk(slice, n, kcMax);
        long apLength = (long) slice * mb * MR * kcMax;
        long bpLength = (long) slice * ceil(ncMax, NR) * NR * kcMax;
        int apOff = 0;
        int bpOff = ClLauncher.checkedInt(apLength, "panel size");
        ClLauncher.checkedInt(apLength + bpLength, "panel size");
        synchronized (be) {
            Storage panels = be.scratch(Math.max(1, apLength + bpLength));
            for (int b0 = 0; b0 < batch; b0 += slice) {
                int bs = Math.min(slice, batch - b0);
                for (int nOff = 0; nOff < n; nOff += ncMax) {
                    int nc = Math.min(ncMax, n - nOff);
                    int nb = ceil(nc, NR);
                    int k0 = 0;
                    do {
                        int kc = Math.min(kcStep, k - k0);
                        if (kc > 0) {
                            be.launch("pack_a", ClRange.of(ceil(kc, KCH), mb, bs), a.mode(), geo, m, k, k0, kc,
                                    a.transposed() ? 1 : 0, b0, a.data(), a.offset(), a.batchStride(), panels, apOff);
                            be.launch("pack_b", ClRange.of(ceil(kc, KCH), nb, bs), b.mode(), geo, k, n, k0, kc,
                                    nOff, nc, b.transposed() ? 1 : 0, b0, b.data(), b.offset(), b.batchStride(),
                                    panels, bpOff);
                        }
                        be.launch("gemm_packed", ClRange.of(nb, mb, bs), m, n, kc, nOff, nc, alpha,
                                k0 == 0 ? beta : 1f, b0, panels, apOff, panels, bpOff, c.data(), c.offset(),
                                c.batchStride(), c.cp(), c.cis(), c.rs());
                        k0 += kcStep;
                    } while (k0 < k);
                }
            }
        }
    }

    /** k per chunk: {@link #LONG_KC} for outputs at most 4 column panels wide, else {@link #KC}. */
    static int kChunk(int n) {
        return n <= 4 * NR ? LONG_KC : KC;
    }

    /** Batches per launch: as many as keep the A panels within {@link #PANEL_FLOATS}, at least one. */
    static int batchSlice(int batch, int mb, int kc) {
        long perBatch = (long) mb * MR * Math.max(1, kc);
        return (int) Math.max(1, Math.min(batch, PANEL_FLOATS / perBatch));
    }

    /** Columns per chunk: a multiple of NR keeping batch * columns * kc within {@link #PANEL_FLOATS}. */
    static int columnChunk(int batch, int n, int kc) {
        long fit = PANEL_FLOATS / ((long) batch * Math.max(1, kc)) / NR * NR;
        return (int) Math.min(ceil(n, NR) * (long) NR, Math.max(NR, fit));
    }

    static int ceil(int a, int b) {
        return (a + b - 1) / b;
    }
}
