package dev.fineturn.cpu;

/**
 * Packs the GEMM's operands into the layouts the micro-kernels read: A in slivers of {@link VectorGemm#MR} rows
 * ([kc][MR] each, zero-padded), B in slivers of the main tile's width ([kc][NR]) or, for the narrow
 * {@link MicroKernel4x2}, as consecutive [kc][2 vectors] panels. Every transpose is resolved here, by the
 * {@link RowSource} and {@link PanelSource} the slivers come from.
 */
final class GemmPacking {
    private static final int MR = VectorGemm.MR;

    private GemmPacking() {
    }

    /** Packs op(A)[ic..ic+mc, pc..pc+kc] as slivers [mc/MR][kc][MR], zero-padded, from {@code dst[dstOff]}. */
    static void packA(RowSource a, int ic, int mc, int pc, int kc, float[] dst, int dstOff) {
        for (int i0 = ic; i0 < ic + mc; i0 += MR) {
            a.packSliver(i0, Math.min(MR, ic + mc - i0), pc, kc, dst, dstOff + (i0 - ic) * kc);
        }
    }

    /**
     * Packs a B sliver at {@code dst[base]}: [kc][NR] for the wide tile, otherwise one [kc][2 vectors]
     * panel after another, so the narrow tile always reads rows a constant stride apart.
     */
    static void packB(PanelSource b, int pc, int kc, int j0, int width, float[] dst, int base) {
        if (width > VectorGemm.NARROW_REMAINDER) {
            b.pack(pc, kc, j0, width, VectorGemm.NR, dst, base);
            return;
        }
        int columns = VectorGemm.QUAD_COLUMNS;
        for (int v0 = 0; v0 < width; v0 += columns) {
            b.pack(pc, kc, j0 + v0, Math.min(columns, width - v0), columns, dst, base + v0 * kc);
        }
    }
}
