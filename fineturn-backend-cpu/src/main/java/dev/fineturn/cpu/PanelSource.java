package dev.fineturn.cpu;

/**
 * Where the B operand of a packed GEMM comes from. The GEMM asks for one sliver at a time, so a
 * source that computes its values (a convolution's im2col view of an image) never needs the whole
 * matrix written out first.
 */
interface PanelSource {
    /**
     * Writes op(B)[pc, pc + kc) x [j0, j0 + width) as kc rows of {@code nr} floats from
     * {@code dst[base]}, each row zero past {@code width}.
     */
    void pack(int pc, int kc, int j0, int width, int nr, float[] dst, int base);

    /** op(B) stored densely: k x n, or n x k when {@code transposed}. */
    record Matrix(float[] b, int offset, int k, int n, boolean transposed) implements PanelSource {
        @Override
        public void pack(int pc, int kc, int j0, int width, int nr, float[] dst, int base) {
            if (transposed) {
                // Row j of op(B)^T is contiguous in k: read it along k, write with stride nr.
                for (int j = 0; j < width; j++) {
                    int src = offset + (j0 + j) * k + pc;
                    for (int p = 0, d = base + j; p < kc; p++, d += nr) {
                        dst[d] = b[src + p];
                    }
                }
                for (int j = width; j < nr; j++) {
                    for (int p = 0, d = base + j; p < kc; p++, d += nr) {
                        dst[d] = 0f;
                    }
                }
                return;
            }
            for (int p = 0; p < kc; p++) {
                int d = base + p * nr;
                System.arraycopy(b, offset + (pc + p) * n + j0, dst, d, width);
                for (int j = width; j < nr; j++) {
                    dst[d + j] = 0f;
                }
            }
        }
    }
}
