package dev.fineturn.cpu;

/**
 * One packed block of A times every sliver of a packed B panel, tile by tile: this is where the micro-kernel is
 * chosen. Wide slivers run on the main tile ({@link MicroKernel4x4} over packed slivers or
 * {@link MicroKernel4x4Rows} over unpacked rows where {@link VectorGemm#TILE} is 4x4, {@link MicroKernel2x5}
 * otherwise); narrow slivers and remainders of up to {@link VectorGemm#NARROW_REMAINDER} columns on
 * {@link MicroKernel4x2}. Tiles that overhang C are computed into a scratch tile and only their own part is
 * added.
 */
final class GemmMacroKernel {
    private static final int MR = VectorGemm.MR;
    private static final int NR = VectorGemm.NR;
    private static final boolean TALL = VectorGemm.TALL;
    private static final int QUAD_ROWS = VectorGemm.QUAD_ROWS;
    private static final int QUAD_COLUMNS = VectorGemm.QUAD_COLUMNS;
    private static final int NARROW_REMAINDER = VectorGemm.NARROW_REMAINDER;

    private GemmMacroKernel() {
    }

    /**
     * C[mc x nc] at {@code c[cOff]} = (store) or += alpha * the block of A at {@code pa[aStart]} (packed slivers,
     * or with {@code lda > 0} unpacked rows {@code lda} apart) times the {@code slivers} B slivers of {@code nr}
     * columns in {@code pb} from {@code bStart}, each {@code kc} deep.
     */
    static void multiply(float[] pa, int aStart, int lda, float[] pb, int bStart, int mc, int kc, int slivers, int nr,
                         int nc, float alpha, boolean store, float[] c, int cOff, int ldc) {
        float[] edge = null;
        for (int sl = 0; sl < slivers; sl++) {
            int j0 = sl * nr;
            int width = Math.min(nr, nc - j0);
            int bBase = bStart + sl * kc * nr;
            if (lda > 0) {
                // Unpacked rows (every sliver wide, see VectorGemm.wideOnly): a short last tile reads its last row
                // again.
                for (int i0 = 0; i0 < mc; i0 += QUAD_ROWS) {
                    int rows = Math.min(QUAD_ROWS, mc - i0);
                    int a0 = aStart + i0 * lda;
                    int a1 = a0 + Math.min(1, rows - 1) * lda;
                    int a2 = a0 + Math.min(2, rows - 1) * lda;
                    int a3 = a0 + Math.min(3, rows - 1) * lda;
                    if (width == NR && rows == QUAD_ROWS) {
                        MicroKernel4x4Rows.multiply(pa, a0, a1, a2, a3, pb, bBase, kc, alpha, store, c,
                                cOff + i0 * ldc + j0, ldc);
                        continue;
                    }
                    edge = scratch(edge);
                    MicroKernel4x4Rows.multiply(pa, a0, a1, a2, a3, pb, bBase, kc, alpha, false, edge, 0, NR);
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
                        MicroKernel4x4.multiply(pa, aBase, aNext, pb, bBase, kc, alpha, store, c,
                                cOff + i0 * ldc + j0, ldc);
                        continue;
                    }
                    edge = scratch(edge);
                    MicroKernel4x4.multiply(pa, aBase, aNext, pb, bBase, kc, alpha, false, edge, 0, NR);
                    addTile(edge, NR, rows, width, store, c, cOff + i0 * ldc + j0, ldc);
                }
                continue;
            }
            if (width > NARROW_REMAINDER) {
                for (int i0 = 0; i0 < mc; i0 += MR) {
                    int height = Math.min(MR, mc - i0);
                    int aBase = aStart + i0 * kc;
                    if (width == NR && height == MR) {
                        MicroKernel2x5.multiply(pa, aBase, pb, bBase, kc, alpha, store, c, cOff + i0 * ldc + j0, ldc);
                        continue;
                    }
                    edge = scratch(edge);
                    MicroKernel2x5.multiply(pa, aBase, pb, bBase, kc, alpha, false, edge, 0, NR);
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
                        MicroKernel4x2.multiply(pa, aBase, aNext, pb, bBase + v0 * kc, kc, alpha, store, c,
                                cOff + i0 * ldc + j0 + v0, ldc);
                        continue;
                    }
                    edge = scratch(edge);
                    MicroKernel4x2.multiply(pa, aBase, aNext, pb, bBase + v0 * kc, kc, alpha, false, edge, 0,
                            QUAD_COLUMNS);
                    addTile(edge, QUAD_COLUMNS, rows, cols, store, c, cOff + i0 * ldc + j0 + v0, ldc);
                }
            }
        }
    }

    /** A zeroed scratch tile, big enough for any micro-kernel. */
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
}
