package dev.fineturn.cpu;

import dev.fineturn.spi.GemmSpec;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packed, blocked SGEMM. A is packed in slivers of two rows; B in slivers of {@link #NR} columns. The
 * main micro-kernel depends on the vector registers ({@link #TILE}): with 16 (AVX2) it is 2 rows x 5
 * vectors, the shape that measured fastest under C2 there (10 accumulators leave registers for the B
 * loads, so nothing spills); with 32 (AVX-512) it is 4 rows (two slivers) x 4 vectors, 16 accumulators,
 * whose 64 columns divide the outputs of convolutions over power-of-two maps. Outputs narrower than such
 * tiles, and the last few columns of wider ones, take a 4 x 2-vector kernel over two A slivers, so a
 * column remainder costs its own width rather than a whole padded tile.
 */
final class VectorGemm {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int L = SPECIES.length();
    /** Lanes a[0], b[0], a[1], b[1], ... of two vectors a and b (ZIP_LOW), and from a[L/2] on (ZIP_HIGH). */
    private static final VectorShuffle<Float> ZIP_LOW = VectorShuffle.fromOp(SPECIES, j -> j % 2 == 0 ? j / 2 : j / 2 - L);
    private static final VectorShuffle<Float> ZIP_HIGH =
            VectorShuffle.fromOp(SPECIES, j -> j % 2 == 0 ? L / 2 + j / 2 : L / 2 + j / 2 - L);
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
    private static final boolean TALL = TILE.equals("4x4");
    /** Wide tile width: 5 vectors on the 2 x 5 tile, 4 on the 4 x 4 tile. */
    static final int NR = (TALL ? 4 : 5) * L;
    /** Narrow tile: two A slivers (4 rows) x 2 vectors, for narrow outputs and column remainders. */
    private static final int QUAD_ROWS = 2 * MR;
    private static final int QUAD_COLUMNS = 2 * L;
    /** Remainders up to this wide run on the narrow tile; wider ones on a padded wide tile. */
    private static final int NARROW_REMAINDER = TALL ? 2 * L : 4 * L;
    /** Outputs at least this wide are cut into wide slivers, narrower ones into narrow panels. */
    private static final int WIDE_OUTPUT = TALL ? NR : 2 * NR;
    /** The deepest k block; k is cut into equal blocks no deeper than this ({@link #kBlock}). */
    private static final int KC = 384;
    /**
     * k up to this deep is one block, so C is written in one pass: a 3x3 convolution over 64 channels
     * (576) measured 1-2% faster so; KC = 576 for every k cost SGEMM at n = 1024 6% on one thread.
     */
    private static final int ONE_BLOCK_K = 576;
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
            ThreadLocal.withInitial(() -> new float[MC * Math.max(KC, ONE_BLOCK_K)]);
    private static final ThreadLocal<float[]> PACK_B = ThreadLocal.withInitial(() -> new float[0]);

    private VectorGemm() {
    }

    private static String tile(String name) {
        if (!name.equals("2x5") && !name.equals("4x4")) {
            throw new IllegalArgumentException("fineturn.cpu.gemmTile must be 2x5 or 4x4, not '" + name + "'");
        }
        return name;
    }

    /**
     * op(A) packed once for several products with the same A (a convolution's weights against
     * several image chunks): every k block's two-row slivers, block pc at {@code offset + mPadded * pc}.
     */
    record PackedA(float[] data, int offset, int m, int k, boolean rows) {
        /** Floats an m x k op(A) takes packed. */
        static int size(int m, int k) {
            return (m + MR - 1) / MR * MR * k;
        }

        /**
         * A row-major m x k A at {@code data[offset]} that the 4 x 4 tile reads as it is, four rows at a time,
         * without packing; products whose columns that tile does not cover pack it block by block as usual.
         */
        static PackedA unpackedRows(float[] data, int offset, int m, int k) {
            return new PackedA(data, offset, m, k, true);
        }
    }

    /**
     * Whether {@link PackedA#unpackedRows} saves the packing: on the 4 x 4 tile, where the weights of a convolution
     * over a small map (ResNet-18's 4x4 layer: 11% of its forward) are packed for little work each.
     */
    static boolean readsUnpackedRows() {
        return TALL;
    }

    /** Where op(A) comes from when it is packed: one sliver of {@link #MR} rows at a time. */
    interface RowSource {
        /**
         * Writes op(A)[i0, i0 + height) x [pc, pc + kc) as kc groups of {@link #MR} floats from
         * {@code dst[base]}, rows past {@code height} zero.
         */
        void packSliver(int i0, int height, int pc, int kc, float[] dst, int base);
    }

    /** Packs op(A) of {@code s} (its n does not matter). */
    static PackedA pack(GemmSpec s, float[] a, int aOff) {
        return pack(s.m(), s.k(), new DenseRows(a, aOff, s.m(), s.k(), s.transA()));
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
                packSlivers(a, from, to - from, pc, kc, data, offset + mPadded * pc + from * kc);
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
            single(s, alpha, new DenseRows(a.data(), a.offset(), a.m(), a.k(), false), null, b, beta, c, cOff);
            return;
        }
        single(s, alpha, null, a, b, beta, c, cOff);
    }

    /** C = alpha * op(A) op(B) + beta * C with op(B) packed from {@code b} sliver by sliver (batch 1). */
    static void gemm(GemmSpec s, float alpha, float[] a, int aOff, PanelSource b, float beta, float[] c, int cOff) {
        if (s.batch() != 1) {
            throw new IllegalArgumentException("a panel source feeds one product, not " + s);
        }
        single(s, alpha, new DenseRows(a, aOff, s.m(), s.k(), s.transA()), null, b, beta, c, cOff);
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

    /** Whether every sliver of an output {@code n} columns wide runs on the 4 x 4 tile (none on the narrow one). */
    private static boolean wideOnly(int n) {
        return TALL && n >= NR && (n % NR == 0 || n % NR > NARROW_REMAINDER);
    }

    /** Sliver width for outputs {@code n} columns wide: the wide tile from {@link #WIDE_OUTPUT} on. */
    private static int sliverColumns(int n) {
        return n >= WIDE_OUTPUT ? NR : QUAD_COLUMNS;
    }

    /**
     * Packs a B sliver at {@code dst[base]}: [kc][NR] for the wide tile, otherwise one [kc][2 vectors]
     * panel after another, so the narrow tile always reads rows a constant stride apart.
     */
    private static void packB(PanelSource b, int pc, int kc, int j0, int width, float[] dst, int base) {
        if (width > NARROW_REMAINDER) {
            b.pack(pc, kc, j0, width, NR, dst, base);
            return;
        }
        for (int v0 = 0; v0 < width; v0 += QUAD_COLUMNS) {
            b.pack(pc, kc, j0 + v0, Math.min(QUAD_COLUMNS, width - v0), QUAD_COLUMNS, dst, base + v0 * kc);
        }
    }

    static void gemm(GemmSpec s, float alpha, float[] a, int aOff, float[] b, int bOff, float beta, float[] c,
                     int cOff) {
        for (int bt = 0; bt < s.batch(); bt++) {
            single(s, alpha, new DenseRows(a, aOff + (int) (bt * s.strideA()), s.m(), s.k(), s.transA()), null,
                    matrixB(s, b, bOff + (int) (bt * s.strideB())), beta, c, cOff + (int) (bt * s.strideC()));
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
            int kb = kBlock(k);
            for (int pc = 0; pc < k; pc += kb) {
                int kc = Math.min(kb, k - pc);
                boolean sliverBySliver = r1 - r0 <= MC && (long) slivers * nr * kc > CACHED_PANEL_FLOATS;
                int panelSlivers = sliverBySliver ? 1 : slivers;
                float[] pb = PACK_B.get();
                if (pb.length < panelSlivers * nr * kc) {
                    pb = new float[panelSlivers * nr * kc];
                    PACK_B.set(pb);
                }
                float[] pa = packed != null ? packed.data() : PACK_A.get();
                int lda = packed != null && packed.rows() ? k : 0;
                if (sliverBySliver) {
                    // A panel too large for L2 that nothing reuses: each sliver is multiplied right after it is
                    // packed, while it is still in L1, rather than the whole panel going out to L3 and back.
                    int aStart = aBlock(a, packed, mPadded, r0, r1 - r0, pc, kc, pa);
                    for (int sl = 0; sl < slivers; sl++) {
                        int js = jc + sl * nr;
                        int width = Math.min(nr, jc + nc - js);
                        packB(b, pc, kc, js, width, pb, 0);
                        macroKernel(pa, aStart, lda, pb, r1 - r0, kc, 1, nr, width, alpha, overwrite && pc == 0, c,
                                cOff + r0 * n + js, n);
                    }
                    continue;
                }
                for (int sl = 0; sl < slivers; sl++) {
                    int js = jc + sl * nr;
                    packB(b, pc, kc, js, Math.min(nr, jc + nc - js), pb, sl * kc * nr);
                }
                for (int ic = r0; ic < r1; ic += MC) {
                    int mc = Math.min(MC, r1 - ic);
                    macroKernel(pa, aBlock(a, packed, mPadded, ic, mc, pc, kc, pa), lda, pb, mc, kc, slivers, nr,
                            nc, alpha, overwrite && pc == 0, c, cOff + ic * n + jc, n);
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
        packSlivers(a, ic, mc, pc, kc, pa, 0);
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

    /** Packs op(A)[ic..ic+mc, pc..pc+kc] as slivers [mc/MR][kc][MR], zero-padded. */
    private static void packSlivers(RowSource a, int ic, int mc, int pc, int kc, float[] dst, int dstOff) {
        for (int i0 = ic; i0 < ic + mc; i0 += MR) {
            a.packSliver(i0, Math.min(MR, ic + mc - i0), pc, kc, dst, dstOff + (i0 - ic) * kc);
        }
    }

    /** op(A) stored densely: m x k, or k x m when {@code transposed}. */
    record DenseRows(float[] a, int offset, int m, int k, boolean transposed) implements RowSource {
        @Override
        public void packSliver(int i0, int height, int pc, int kc, float[] dst, int base) {
            if (transposed) {
                for (int p = 0, d = base, src = offset + pc * m + i0; p < kc; p++, d += MR, src += m) {
                    dst[d] = a[src];
                    dst[d + 1] = height == MR ? a[src + 1] : 0f;
                }
                return;
            }
            int src = offset + i0 * k + pc;
            if (height == MR) {
                // Both rows read side by side along k, written interleaved a vector of each at a time.
                int p = 0;
                for (; p + L <= kc; p += L) {
                    FloatVector r0 = FloatVector.fromArray(SPECIES, a, src + p);
                    FloatVector r1 = FloatVector.fromArray(SPECIES, a, src + k + p);
                    r0.rearrange(ZIP_LOW, r1).intoArray(dst, base + MR * p);
                    r0.rearrange(ZIP_HIGH, r1).intoArray(dst, base + MR * p + L);
                }
                for (int d = base + MR * p; p < kc; p++, d += MR) {
                    dst[d] = a[src + p];
                    dst[d + 1] = a[src + k + p];
                }
            } else {
                for (int p = 0, d = base; p < kc; p++, d += MR) {
                    dst[d] = a[src + p];
                    dst[d + 1] = 0f;
                }
            }
        }
    }

    /**
     * The packed block times every B sliver: wide slivers on the main tile (4 x 4 or 2 x 5 vectors), narrow ones
     * and remainders on the 4 x 2-vector tile; tiles that overhang C go through a scratch tile.
     */
    private static void macroKernel(float[] pa, int aStart, int lda, float[] pb, int mc, int kc, int slivers, int nr,
                                    int nc, float alpha, boolean store, float[] c, int cOff, int ldc) {
        float[] edge = null;
        for (int sl = 0; sl < slivers; sl++) {
            int j0 = sl * nr;
            int width = Math.min(nr, nc - j0);
            int bBase = sl * kc * nr;
            if (lda > 0) {
                // Unpacked rows (every sliver wide, see wideOnly): a short last tile reads its last row again.
                for (int i0 = 0; i0 < mc; i0 += QUAD_ROWS) {
                    int rows = Math.min(QUAD_ROWS, mc - i0);
                    int a0 = aStart + i0 * lda;
                    int a1 = a0 + Math.min(1, rows - 1) * lda;
                    int a2 = a0 + Math.min(2, rows - 1) * lda;
                    int a3 = a0 + Math.min(3, rows - 1) * lda;
                    if (width == NR && rows == QUAD_ROWS) {
                        rowsKernel(pa, a0, a1, a2, a3, pb, bBase, kc, alpha, store, c, cOff + i0 * ldc + j0, ldc);
                        continue;
                    }
                    edge = scratch(edge);
                    rowsKernel(pa, a0, a1, a2, a3, pb, bBase, kc, alpha, false, edge, 0, NR);
                    addTile(edge, NR, rows, width, store, c, cOff + i0 * ldc + j0, ldc);
                }
                continue;
            }
            if (width > NARROW_REMAINDER && TALL) {
                for (int i0 = 0; i0 < mc; i0 += QUAD_ROWS) {
                    int rows = Math.min(QUAD_ROWS, mc - i0);
                    int aBase = aStart + i0 * kc;
                    // A lone last sliver is read twice; only its own rows are kept.
                    int aNext = rows > MR ? MR * kc : 0;
                    if (width == NR && rows == QUAD_ROWS) {
                        tallKernel(pa, aBase, aNext, pb, bBase, kc, alpha, store, c, cOff + i0 * ldc + j0, ldc);
                        continue;
                    }
                    edge = scratch(edge);
                    tallKernel(pa, aBase, aNext, pb, bBase, kc, alpha, false, edge, 0, NR);
                    addTile(edge, NR, rows, width, store, c, cOff + i0 * ldc + j0, ldc);
                }
                continue;
            }
            if (width > NARROW_REMAINDER) {
                for (int i0 = 0; i0 < mc; i0 += MR) {
                    int height = Math.min(MR, mc - i0);
                    int aBase = aStart + i0 * kc;
                    if (width == NR && height == MR) {
                        wideKernel(pa, aBase, pb, bBase, kc, alpha, store, c, cOff + i0 * ldc + j0, ldc);
                        continue;
                    }
                    edge = scratch(edge);
                    wideKernel(pa, aBase, pb, bBase, kc, alpha, false, edge, 0, NR);
                    addTile(edge, NR, height, width, store, c, cOff + i0 * ldc + j0, ldc);
                }
                continue;
            }
            for (int v0 = 0; v0 < width; v0 += QUAD_COLUMNS) {
                int cols = Math.min(QUAD_COLUMNS, width - v0);
                for (int i0 = 0; i0 < mc; i0 += QUAD_ROWS) {
                    int rows = Math.min(QUAD_ROWS, mc - i0);
                    int aBase = aStart + i0 * kc;
                    // A lone last sliver is read twice; only its own rows are kept.
                    int aNext = rows > MR ? MR * kc : 0;
                    if (rows == QUAD_ROWS && cols == QUAD_COLUMNS) {
                        quadKernel(pa, aBase, aNext, pb, bBase + v0 * kc, kc, alpha, store, c,
                                cOff + i0 * ldc + j0 + v0, ldc);
                        continue;
                    }
                    edge = scratch(edge);
                    quadKernel(pa, aBase, aNext, pb, bBase + v0 * kc, kc, alpha, false, edge, 0, QUAD_COLUMNS);
                    addTile(edge, QUAD_COLUMNS, rows, cols, store, c, cOff + i0 * ldc + j0 + v0, ldc);
                }
            }
        }
    }

    /** A zeroed scratch tile, big enough for either micro-kernel. */
    private static float[] scratch(float[] edge) {
        if (edge == null) {
            return new float[QUAD_ROWS * Math.max(NR, QUAD_COLUMNS)];
        }
        java.util.Arrays.fill(edge, 0f);
        return edge;
    }

    /** Adds (or with {@code store}, copies) the used part of a scratch tile into C. */
    private static void addTile(float[] tile, int ldt, int rows, int cols, boolean store, float[] c, int cOff,
                                int ldc) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                c[cOff + r * ldc + j] = store ? tile[r * ldt + j] : c[cOff + r * ldc + j] + tile[r * ldt + j];
            }
        }
    }

    /**
     * C[4 x 2 vectors] += alpha * A[4 x kc] * Bpanel[kc x 2 vectors]: rows 0-1 from the A sliver at
     * {@code aBase}, rows 2-3 from the one {@code aNext} floats further.
     */
    private static void quadKernel(float[] pa, int aBase, int aNext, float[] pb, int bBase, int kc, float alpha,
                                   boolean store, float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        FloatVector c31 = FloatVector.zero(SPECIES);
        for (int p = 0; p < kc; p++) {
            int ai = aBase + p * MR;
            int an = ai + aNext;
            int bi = bBase + p * QUAD_COLUMNS;
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + L);
            FloatVector a0 = FloatVector.broadcast(SPECIES, pa[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(SPECIES, pa[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(SPECIES, pa[an]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(SPECIES, pa[an + 1]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        int o = cOff;
        if (store) {
            c00.mul(alpha).intoArray(c, o);
            c01.mul(alpha).intoArray(c, o + L);
            o += ldc;
            c10.mul(alpha).intoArray(c, o);
            c11.mul(alpha).intoArray(c, o + L);
            o += ldc;
            c20.mul(alpha).intoArray(c, o);
            c21.mul(alpha).intoArray(c, o + L);
            o += ldc;
            c30.mul(alpha).intoArray(c, o);
            c31.mul(alpha).intoArray(c, o + L);
            return;
        }
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

    /**
     * C[4 x NR] += alpha * A[4 x kc] * Bpanel[kc x NR] on the 4 x 4-vector tile: rows 0-1 from the A sliver at
     * {@code aBase}, rows 2-3 from the one {@code aNext} floats further; the 16 accumulators stay in registers.
     */
    private static void tallKernel(float[] pa, int aBase, int aNext, float[] pb, int bBase, int kc, float alpha,
                                   boolean store, float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = FloatVector.zero(SPECIES);
        FloatVector c02 = FloatVector.zero(SPECIES);
        FloatVector c03 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c11 = FloatVector.zero(SPECIES);
        FloatVector c12 = FloatVector.zero(SPECIES);
        FloatVector c13 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c21 = FloatVector.zero(SPECIES);
        FloatVector c22 = FloatVector.zero(SPECIES);
        FloatVector c23 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        FloatVector c31 = FloatVector.zero(SPECIES);
        FloatVector c32 = FloatVector.zero(SPECIES);
        FloatVector c33 = FloatVector.zero(SPECIES);
        for (int p = 0; p < kc; p++) {
            int ai = aBase + p * MR;
            int an = ai + aNext;
            int bi = bBase + p * (4 * L);
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + L);
            FloatVector b2 = FloatVector.fromArray(SPECIES, pb, bi + 2 * L);
            FloatVector b3 = FloatVector.fromArray(SPECIES, pb, bi + 3 * L);
            FloatVector a0 = FloatVector.broadcast(SPECIES, pa[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            c03 = a0.fma(b3, c03);
            FloatVector a1 = FloatVector.broadcast(SPECIES, pa[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            c13 = a1.fma(b3, c13);
            FloatVector a2 = FloatVector.broadcast(SPECIES, pa[an]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
            c23 = a2.fma(b3, c23);
            FloatVector a3 = FloatVector.broadcast(SPECIES, pa[an + 1]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32);
            c33 = a3.fma(b3, c33);
        }
        int o = cOff;
        if (store) {
            c00.mul(alpha).intoArray(c, o);
            c01.mul(alpha).intoArray(c, o + L);
            c02.mul(alpha).intoArray(c, o + 2 * L);
            c03.mul(alpha).intoArray(c, o + 3 * L);
            o += ldc;
            c10.mul(alpha).intoArray(c, o);
            c11.mul(alpha).intoArray(c, o + L);
            c12.mul(alpha).intoArray(c, o + 2 * L);
            c13.mul(alpha).intoArray(c, o + 3 * L);
            o += ldc;
            c20.mul(alpha).intoArray(c, o);
            c21.mul(alpha).intoArray(c, o + L);
            c22.mul(alpha).intoArray(c, o + 2 * L);
            c23.mul(alpha).intoArray(c, o + 3 * L);
            o += ldc;
            c30.mul(alpha).intoArray(c, o);
            c31.mul(alpha).intoArray(c, o + L);
            c32.mul(alpha).intoArray(c, o + 2 * L);
            c33.mul(alpha).intoArray(c, o + 3 * L);
            return;
        }
        FloatVector.fromArray(SPECIES, c, o).add(c00.mul(alpha)).intoArray(c, o);
        FloatVector.fromArray(SPECIES, c, o + L).add(c01.mul(alpha)).intoArray(c, o + L);
        FloatVector.fromArray(SPECIES, c, o + 2 * L).add(c02.mul(alpha)).intoArray(c, o + 2 * L);
        FloatVector.fromArray(SPECIES, c, o + 3 * L).add(c03.mul(alpha)).intoArray(c, o + 3 * L);
        o += ldc;
        FloatVector.fromArray(SPECIES, c, o).add(c10.mul(alpha)).intoArray(c, o);
        FloatVector.fromArray(SPECIES, c, o + L).add(c11.mul(alpha)).intoArray(c, o + L);
        FloatVector.fromArray(SPECIES, c, o + 2 * L).add(c12.mul(alpha)).intoArray(c, o + 2 * L);
        FloatVector.fromArray(SPECIES, c, o + 3 * L).add(c13.mul(alpha)).intoArray(c, o + 3 * L);
        o += ldc;
        FloatVector.fromArray(SPECIES, c, o).add(c20.mul(alpha)).intoArray(c, o);
        FloatVector.fromArray(SPECIES, c, o + L).add(c21.mul(alpha)).intoArray(c, o + L);
        FloatVector.fromArray(SPECIES, c, o + 2 * L).add(c22.mul(alpha)).intoArray(c, o + 2 * L);
        FloatVector.fromArray(SPECIES, c, o + 3 * L).add(c23.mul(alpha)).intoArray(c, o + 3 * L);
        o += ldc;
        FloatVector.fromArray(SPECIES, c, o).add(c30.mul(alpha)).intoArray(c, o);
        FloatVector.fromArray(SPECIES, c, o + L).add(c31.mul(alpha)).intoArray(c, o + L);
        FloatVector.fromArray(SPECIES, c, o + 2 * L).add(c32.mul(alpha)).intoArray(c, o + 2 * L);
        FloatVector.fromArray(SPECIES, c, o + 3 * L).add(c33.mul(alpha)).intoArray(c, o + 3 * L);
    }

    /**
     * The 4 x 4-vector tile over unpacked rows: row r of A from {@code a[ar + p]}, p along k (four streams
     * instead of one packed sliver pair); otherwise as {@link #tallKernel}, whose loop it repeats because the
     * accumulators must stay in one method's registers.
     */
    private static void rowsKernel(float[] a, int a0, int a1, int a2, int a3, float[] pb, int bBase, int kc,
                                   float alpha, boolean store, float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = FloatVector.zero(SPECIES);
        FloatVector c02 = FloatVector.zero(SPECIES);
        FloatVector c03 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c11 = FloatVector.zero(SPECIES);
        FloatVector c12 = FloatVector.zero(SPECIES);
        FloatVector c13 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c21 = FloatVector.zero(SPECIES);
        FloatVector c22 = FloatVector.zero(SPECIES);
        FloatVector c23 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        FloatVector c31 = FloatVector.zero(SPECIES);
        FloatVector c32 = FloatVector.zero(SPECIES);
        FloatVector c33 = FloatVector.zero(SPECIES);
        for (int p = 0; p < kc; p++) {
            int bi = bBase + p * (4 * L);
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + L);
            FloatVector b2 = FloatVector.fromArray(SPECIES, pb, bi + 2 * L);
            FloatVector b3 = FloatVector.fromArray(SPECIES, pb, bi + 3 * L);
            FloatVector x0 = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            c02 = x0.fma(b2, c02);
            c03 = x0.fma(b3, c03);
            FloatVector x1 = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            c12 = x1.fma(b2, c12);
            c13 = x1.fma(b3, c13);
            FloatVector x2 = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            c22 = x2.fma(b2, c22);
            c23 = x2.fma(b3, c23);
            FloatVector x3 = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
            c32 = x3.fma(b2, c32);
            c33 = x3.fma(b3, c33);
        }
        int o = cOff;
        if (store) {
            c00.mul(alpha).intoArray(c, o);
            c01.mul(alpha).intoArray(c, o + L);
            c02.mul(alpha).intoArray(c, o + 2 * L);
            c03.mul(alpha).intoArray(c, o + 3 * L);
            o += ldc;
            c10.mul(alpha).intoArray(c, o);
            c11.mul(alpha).intoArray(c, o + L);
            c12.mul(alpha).intoArray(c, o + 2 * L);
            c13.mul(alpha).intoArray(c, o + 3 * L);
            o += ldc;
            c20.mul(alpha).intoArray(c, o);
            c21.mul(alpha).intoArray(c, o + L);
            c22.mul(alpha).intoArray(c, o + 2 * L);
            c23.mul(alpha).intoArray(c, o + 3 * L);
            o += ldc;
            c30.mul(alpha).intoArray(c, o);
            c31.mul(alpha).intoArray(c, o + L);
            c32.mul(alpha).intoArray(c, o + 2 * L);
            c33.mul(alpha).intoArray(c, o + 3 * L);
            return;
        }
        FloatVector.fromArray(SPECIES, c, o).add(c00.mul(alpha)).intoArray(c, o);
        FloatVector.fromArray(SPECIES, c, o + L).add(c01.mul(alpha)).intoArray(c, o + L);
        FloatVector.fromArray(SPECIES, c, o + 2 * L).add(c02.mul(alpha)).intoArray(c, o + 2 * L);
        FloatVector.fromArray(SPECIES, c, o + 3 * L).add(c03.mul(alpha)).intoArray(c, o + 3 * L);
        o += ldc;
        FloatVector.fromArray(SPECIES, c, o).add(c10.mul(alpha)).intoArray(c, o);
        FloatVector.fromArray(SPECIES, c, o + L).add(c11.mul(alpha)).intoArray(c, o + L);
        FloatVector.fromArray(SPECIES, c, o + 2 * L).add(c12.mul(alpha)).intoArray(c, o + 2 * L);
        FloatVector.fromArray(SPECIES, c, o + 3 * L).add(c13.mul(alpha)).intoArray(c, o + 3 * L);
        o += ldc;
        FloatVector.fromArray(SPECIES, c, o).add(c20.mul(alpha)).intoArray(c, o);
        FloatVector.fromArray(SPECIES, c, o + L).add(c21.mul(alpha)).intoArray(c, o + L);
        FloatVector.fromArray(SPECIES, c, o + 2 * L).add(c22.mul(alpha)).intoArray(c, o + 2 * L);
        FloatVector.fromArray(SPECIES, c, o + 3 * L).add(c23.mul(alpha)).intoArray(c, o + 3 * L);
        o += ldc;
        FloatVector.fromArray(SPECIES, c, o).add(c30.mul(alpha)).intoArray(c, o);
        FloatVector.fromArray(SPECIES, c, o + L).add(c31.mul(alpha)).intoArray(c, o + L);
        FloatVector.fromArray(SPECIES, c, o + 2 * L).add(c32.mul(alpha)).intoArray(c, o + 2 * L);
        FloatVector.fromArray(SPECIES, c, o + 3 * L).add(c33.mul(alpha)).intoArray(c, o + 3 * L);
    }

    /** C[2 x 5L] += alpha * Apanel[2 x kc] * Bpanel[kc x 5L] on the 2 x 5-vector tile; accumulators stay in registers. */
    private static void wideKernel(float[] pa, int aBase, float[] pb, int bBase, int kc, float alpha, boolean store,
                                   float[] c, int cOff, int ldc) {
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
        if (store) {
            c00.mul(alpha).intoArray(c, o);
            c01.mul(alpha).intoArray(c, o + L);
            c02.mul(alpha).intoArray(c, o + 2 * L);
            c03.mul(alpha).intoArray(c, o + 3 * L);
            c04.mul(alpha).intoArray(c, o + 4 * L);
            o += ldc;
            c10.mul(alpha).intoArray(c, o);
            c11.mul(alpha).intoArray(c, o + L);
            c12.mul(alpha).intoArray(c, o + 2 * L);
            c13.mul(alpha).intoArray(c, o + 3 * L);
            c14.mul(alpha).intoArray(c, o + 4 * L);
            return;
        }
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
