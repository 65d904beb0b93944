package dev.fineturn.cpu;

import dev.fineturn.spi.GemmSpec;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packed, blocked SGEMM: the entry points, the split of a product between threads, and its cache blocking (k
 * blocks, row blocks of {@link #MC}, column panels of {@link #NC}). A is packed in slivers of two rows, B in slivers
 * of {@link #NR} columns ({@link GemmPacking}); {@link GemmMacroKernel} multiplies each packed block tile by tile.
 * The main micro-kernel depends on the vector registers ({@link #TILE}): with 16 (AVX2) it is
 * {@link MicroKernel2x5}, with 32 (AVX-512) {@link MicroKernel4x4}. Outputs narrower than such tiles, and the last
 * few columns of wider ones, take {@link MicroKernel4x2}, so a column remainder costs its own width rather than a
 * whole padded tile.
 */
final class VectorGemm {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int L = SPECIES.length();
    /** Rows per packed A sliver (the 2-row wide tile's height). */
    static final int MR = 2;
    /**
     * The main tile, "2x5" (rows x vectors) or "4x4": property {@code fineturn.cpu.gemmTile}, by default 4x4 where
     * the preferred species is 512 bits wide (32 vector registers) and 2x5 elsewhere. On AVX2 the 4x4 tile's 16
     * accumulators spill; the tests run both tiles on every machine.
     */
    static final String TILE = tile(System.getProperty("fineturn.cpu.gemmTile",
            SPECIES.vectorBitSize() >= 512 ? "4x4" : "2x5"));
    /** Whether the main tile is 4 x 4 vectors over two A slivers. */
    static final boolean TALL = TILE.equals("4x4");
    /** Wide tile width: 5 vectors on the 2 x 5 tile, 4 on the 4 x 4 tile. */
    static final int NR = (TALL ? 4 : 5) * L;
    /** Narrow tile: two A slivers (4 rows) x 2 vectors, for narrow outputs and column remainders. */
    static final int QUAD_ROWS = 2 * MR;
    static final int QUAD_COLUMNS = 2 * L;
    /** Remainders up to this wide run on the narrow tile; wider ones on a padded wide tile. */
    static final int NARROW_REMAINDER = TALL ? 2 * L : 4 * L;
    /** Outputs at least this wide are cut into wide slivers, narrower ones into narrow panels. */
    private static final int WIDE_OUTPUT = TALL ? NR : 2 * NR;
    /** The deepest k block; k is cut into equal blocks no deeper than this ({@link #kBlock}). */
    private static final int KC = 384;
    /**
     * k up to this deep is one block, so C is written in one pass: a 3x3 convolution over 64 channels
     * (576) measured 1-2% faster so; KC = 576 for every k cost SGEMM at n = 1024 6% on one thread.
     */
    private static final int ONE_BLOCK_K = 576;
    /**
     * The deepest k block of a product whose C has at least {@link #LARGE_C} floats, on the 4 x 4 tile (AVX-512
     * cores, with 1-2 MB of L2): every k block reads and writes all of C once, and such a C comes from memory on
     * each pass. On a Xeon (2 MB L2) SGEMM at n = 2048 took 0.92 of the time on one thread and 0.95 on two
     * (k blocks of 683 instead of 342); 512 gave 0.94 and 0.96. Convolutions, whose C is small, read level with
     * 512 for every k, and keep {@link #KC}; so do weights packed ahead ({@link PackedA}), whose layout is cut by
     * {@link #KC}.
     */
    private static final int LARGE_C_KC = 768;
    /** 2 M floats, 8 MB: a C larger than the last level of cache a core has to itself. */
    private static final long LARGE_C = 1L << 21;
    /**
     * The deepest k block over unpacked rows of A. A 4 x 4 tile's B sliver is then 128 x 64 floats, 32 KB, which
     * stays in L1 while the tile walks the block's rows; the rows come from four strided streams, unlike a packed
     * A, and a deeper sliver sent B's loads to L2 as well. Convolution forwards on the 4 x 4 tile took 0.86-0.90
     * of the time with 128 against 384 (576 for a single block), SGEMM is unaffected.
     */
    private static final int ROWS_KC = 128;
    private static final int MC = 96;
    private static final int NC = 3072;
    /**
     * B panels up to this size (512 KB, a core's L2 here) are packed whole before the products; a larger one
     * that only one row block reads is packed and multiplied sliver by sliver (a convolution over a large image).
     */
    private static final int CACHED_PANEL_FLOATS = 1 << 17;
    /** Blocks with fewer multiply-adds than this run on the calling thread: forking costs more. */
    private static final double SERIAL_WORK = 1 << 24;

    private static final ThreadLocal<float[]> PACK_A =
            ThreadLocal.withInitial(() -> new float[MC * Math.max(LARGE_C_KC, ONE_BLOCK_K)]);

    private VectorGemm() {
    }

    private static String tile(String name) {
        if (!name.equals("2x5") && !name.equals("4x4")) {
            throw new IllegalArgumentException("fineturn.cpu.gemmTile must be 2x5 or 4x4, not '" + name + "'");
        }
        return name;
    }

    /**
     * Whether {@link PackedA#unpackedRows} saves the packing: on the 4 x 4 tile, where the weights of a convolution
     * over a small map (ResNet-18's 4x4 layer: 11% of its forward) are packed for little work each.
     */
    static boolean readsUnpackedRows() {
        return TALL;
    }

    /** Packs op(A) of {@code s} (its n does not matter). */
    static PackedA pack(GemmSpec s, float[] a, int aOff) {
        return pack(s.m(), s.k(), new RowSource.Matrix(a, aOff, s.m(), s.k(), s.transA()));
    }

    /** Packs an m x k op(A) from {@code a} into a new array. */
    static PackedA pack(int m, int k, RowSource a) {
        return pack(m, k, a, new float[PackedA.size(m, k)], 0);
    }

    /**
     * Packs an m x k op(A) from {@code a} into {@code data} from {@code offset} ({@link PackedA#size}
     * floats, every one written), the k blocks and row parts split between threads.
     */
    static PackedA pack(int m, int k, RowSource a, float[] data, int offset) {
        int mPadded = (m + MR - 1) / MR * MR;
        int kb = kBlock(k);
        int kBlocks = (k + kb - 1) / kb;
        int slivers = mPadded / MR;
        // Row parts per k block, so that every thread has a share even when k is one or two blocks.
        int parts = Math.max(1, Math.min(slivers, CpuPool.threads()));
        java.util.function.IntConsumer task = t -> {
            int pc = t / parts * kb;
            int kc = Math.min(kb, k - pc);
            int part = t % parts;
            int from = slivers * part / parts * MR;
            int to = Math.min(m, slivers * (part + 1) / parts * MR);
            if (from < to) {
                GemmPacking.packA(a, from, to - from, pc, kc, data, offset + mPadded * pc + from * kc);
            }
        };
        if ((double) m * k < SERIAL_WORK / 64) {
            for (int t = 0; t < kBlocks * parts; t++) {
                task.accept(t);
            }
        } else {
            CpuPool.parallelFor(kBlocks * parts, task);
        }
        return new PackedA(data, offset, m, k, false);
    }

    /** C = alpha * op(A) op(B) + beta * C with op(A) from {@link #pack}; a single product (batch 1). */
    static void gemm(GemmSpec s, float alpha, PackedA a, float[] b, int bOff, float beta, float[] c, int cOff) {
        gemm(s, alpha, a, matrixB(s, b, bOff), beta, c, cOff);
    }

    /** As above with op(B) packed from {@code b} sliver by sliver (batch 1). */
    static void gemm(GemmSpec s, float alpha, PackedA a, PanelSource b, float beta, float[] c, int cOff) {
        if (s.batch() != 1 || s.m() != a.m() || s.k() != a.k()) {
            throw new IllegalArgumentException("packed A " + a.m() + "x" + a.k() + " does not fit " + s);
        }
        if (a.rows() && !wideOnly(s.n())) {
            // Unpacked rows that the narrow tile would read: packed block by block instead.
            single(s, alpha, new RowSource.Matrix(a.data(), a.offset(), a.m(), a.k(), false), null, b, beta, c,
                    cOff);
            return;
        }
        single(s, alpha, null, a, b, beta, c, cOff);
    }

    /** C = alpha * op(A) op(B) + beta * C with op(B) packed from {@code b} sliver by sliver (batch 1). */
    static void gemm(GemmSpec s, float alpha, float[] a, int aOff, PanelSource b, float beta, float[] c, int cOff) {
        if (s.batch() != 1) {
            throw new IllegalArgumentException("a panel source feeds one product, not " + s);
        }
        single(s, alpha, new RowSource.Matrix(a, aOff, s.m(), s.k(), s.transA()), null, b, beta, c, cOff);
    }

    private static PanelSource matrixB(GemmSpec s, float[] b, int bOff) {
        return new PanelSource.Matrix(b, bOff, s.k(), s.n(), s.transB());
    }

    /**
     * Depth of the k blocks: all of k up to {@link #ONE_BLOCK_K}, otherwise k split into as few blocks as
     * {@link #KC} allows, of equal depth (1152 = 3 x 384, 1024 = 3 x 342).
     */
    private static int kBlock(int k) {
        if (k <= ONE_BLOCK_K) {
            return Math.max(1, k);
        }
        int blocks = Math.max(1, (k + KC - 1) / KC);
        return (k + blocks - 1) / blocks;
    }

    /** Depth of the k blocks of an m x n product with A packed block by block: deeper where C is large. */
    private static int kBlock(int k, int m, int n) {
        if (!TALL || (long) m * n < LARGE_C || k <= ONE_BLOCK_K) {
            return kBlock(k);
        }
        int blocks = Math.max(1, (k + LARGE_C_KC - 1) / LARGE_C_KC);
        return (k + blocks - 1) / blocks;
    }

    /**
     * Depth of the k blocks over unpacked rows of A ({@link PackedA#unpackedRows}, a convolution's weights): k cut
     * into equal blocks no deeper than {@link #ROWS_KC}, whatever k is.
     */
    private static int rowsKBlock(int k) {
        int blocks = Math.max(1, (k + ROWS_KC - 1) / ROWS_KC);
        return (k + blocks - 1) / blocks;
    }

    /** Whether every sliver of an output {@code n} columns wide runs on the 4 x 4 tile (none on the narrow one). */
    private static boolean wideOnly(int n) {
        return TALL && n >= NR && (n % NR == 0 || n % NR > NARROW_REMAINDER);
    }

    /** Sliver width for outputs {@code n} columns wide: the wide tile from {@link #WIDE_OUTPUT} on. */
    private static int sliverColumns(int n) {
        return n >= WIDE_OUTPUT ? NR : QUAD_COLUMNS;
    }

    static void gemm(GemmSpec s, float alpha, float[] a, int aOff, float[] b, int bOff, float beta, float[] c,
                     int cOff) {
        for (int bt = 0; bt < s.batch(); bt++) {
            RowSource rows = new RowSource.Matrix(a, aOff + (int) (bt * s.strideA()), s.m(), s.k(), s.transA());
            single(s, alpha, rows, null, matrixB(s, b, bOff + (int) (bt * s.strideB())), beta, c,
                    cOff + (int) (bt * s.strideC()));
        }
    }

    /**
     * One product; A comes packed ({@code packed}, when its tile height fits this product) or raw.
     * Threads split the output into column strips (row strips when it is narrow), and each runs the
     * whole blocked product on its strip with its own packed panels: one fork per product, no
     * shared panels between threads.
     */
    private static void single(GemmSpec s, float alpha, RowSource a, PackedA packed, PanelSource b, float beta,
                               float[] c, int cOff) {
        int m = s.m();
        int n = s.n();
        int k = s.k();
        int nr = sliverColumns(n);
        if (m == 0 || n == 0) {
            return;
        }
        int threads = CpuPool.threads();
        if (threads == 1 || (double) m * n * k < SERIAL_WORK) {
            strip(s, alpha, a, packed, b, beta, c, cOff, 0, m, 0, n);
            return;
        }
        int slivers = (n + nr - 1) / nr;
        if (slivers >= 2 * threads) {
            int parts = Math.min(slivers / 2, threads);
            CpuPool.parallelFor(parts, part -> strip(s, alpha, a, packed, b, beta, c, cOff, 0, m,
                    slivers * part / parts * nr, Math.min(n, slivers * (part + 1) / parts * nr)));
            return;
        }
        int tiles = (m + QUAD_ROWS - 1) / QUAD_ROWS;
        int parts = Math.max(1, Math.min(tiles, threads));
        CpuPool.parallelFor(parts, part -> strip(s, alpha, a, packed, b, beta, c, cOff,
                tiles * part / parts * QUAD_ROWS, Math.min(m, tiles * (part + 1) / parts * QUAD_ROWS), 0, n));
    }

    /** C[r0, r1) x [j0, j1) of one product, blocked and packed on the calling thread; r0 is even. */
    private static void strip(GemmSpec s, float alpha, RowSource a, PackedA packed, PanelSource b, float beta,
                              float[] c, int cOff, int r0, int r1, int j0, int j1) {
        int m = s.m();
        int n = s.n();
        int k = s.k();
        int nr = sliverColumns(n);
        int mPadded = (m + MR - 1) / MR * MR;
        // With beta = 0 the first k block stores its tiles instead of adding them to a zeroed C.
        boolean overwrite = beta == 0f && k > 0 && alpha != 0f;
        if (!overwrite) {
            if (j0 == 0 && j1 == n) {
                scale(c, cOff + r0 * n, (r1 - r0) * n, beta);
            } else {
                for (int r = r0; r < r1; r++) {
                    scale(c, cOff + r * n + j0, j1 - j0, beta);
                }
            }
        }
        if (k == 0 || alpha == 0f) {
            return;
        }
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            int slivers = (nc + nr - 1) / nr;
            int kb = packed != null && packed.rows() ? rowsKBlock(k) : packed != null ? kBlock(k) : kBlock(k, m, n);
            for (int pc = 0; pc < k; pc += kb) {
                int kc = Math.min(kb, k - pc);
                boolean sliverBySliver = r1 - r0 <= MC && (long) slivers * nr * kc > CACHED_PANEL_FLOATS;
                int panelSlivers = sliverBySliver ? 1 : slivers;
                float[] pb = AlignedPanel.buffer(panelSlivers * nr * kc);
                int b0 = AlignedPanel.START;
                float[] pa = packed != null ? packed.data() : PACK_A.get();
                int lda = packed != null && packed.rows() ? k : 0;
                if (sliverBySliver) {
                    // A panel too large for L2 that nothing reuses: each sliver is multiplied right after it is
                    // packed, while it is still in L1, rather than the whole panel going out to L3 and back.
                    int aStart = aBlock(a, packed, mPadded, r0, r1 - r0, pc, kc, pa);
                    for (int sl = 0; sl < slivers; sl++) {
                        int js = jc + sl * nr;
                        int width = Math.min(nr, jc + nc - js);
                        GemmPacking.packB(b, pc, kc, js, width, pb, b0);
                        GemmMacroKernel.multiply(pa, aStart, lda, pb, b0, r1 - r0, kc, 1, nr, width, alpha,
                                overwrite && pc == 0, c, cOff + r0 * n + js, n);
                    }
                    continue;
                }
                for (int sl = 0; sl < slivers; sl++) {
                    int js = jc + sl * nr;
                    GemmPacking.packB(b, pc, kc, js, Math.min(nr, jc + nc - js), pb, b0 + sl * kc * nr);
                }
                for (int ic = r0; ic < r1; ic += MC) {
                    int mc = Math.min(MC, r1 - ic);
                    GemmMacroKernel.multiply(pa, aBlock(a, packed, mPadded, ic, mc, pc, kc, pa), lda, pb, b0, mc, kc,
                            slivers, nr, nc, alpha, overwrite && pc == 0, c, cOff + ic * n + jc, n);
                }
            }
        }
    }

    /**
     * Where rows [ic, ic + mc) x k block [pc, pc + kc) of A start in {@code pa}: in the packed A, or packed now
     * into {@code pa} (the thread's block buffer) from 0.
     */
    private static int aBlock(RowSource a, PackedA packed, int mPadded, int ic, int mc, int pc, int kc, float[] pa) {
        if (packed != null && packed.rows()) {
            return packed.offset() + ic * packed.k() + pc;
        }
        if (packed != null) {
            return packed.offset() + mPadded * pc + ic * kc;
        }
        GemmPacking.packA(a, ic, mc, pc, kc, pa, 0);
        return 0;
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
}
