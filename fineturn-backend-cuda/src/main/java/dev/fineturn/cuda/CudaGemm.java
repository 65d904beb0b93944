package dev.fineturn.cuda;

import dev.fineturn.spi.GemmSpec;
import dev.fineturn.spi.Storage;

import static dev.fineturn.cuda.CudaLauncher.checkedInt;

/**
 * Batched SGEMM on the tiled kernels: grid (column tiles, row tiles, batch). Batches beyond the
 * grid's 65535 run as several launches with their operands' offsets advanced.
 */
final class CudaGemm {
    private CudaGemm() {
    }

    static void gemm(CudaLauncher k, GemmSpec s, float alpha, Storage a, long aOffset, Storage b, long bOffset,
                     float beta, Storage c, long cOffset) {
        if (s.m() == 0 || s.n() == 0) {
            return;
        }
        GemmTile tile = GemmTile.choose(s.m(), s.n(), s.batch());
        for (int b0 = 0; b0 < s.batch(); b0 += LaunchShape.MAX_GRID_YZ) {
            int batch = Math.min(LaunchShape.MAX_GRID_YZ, s.batch() - b0);
            k.launch(tile.kernel("gemm"), tile.shape(s.m(), s.n(), batch), s.m(), s.n(), s.k(), s.transA() ? 1 : 0,
                    s.transB() ? 1 : 0, alpha, beta,
                    a, checkedInt(aOffset + b0 * s.strideA(), "offset"), checkedInt(s.strideA(), "stride"),
                    b, checkedInt(bOffset + b0 * s.strideB(), "offset"), checkedInt(s.strideB(), "stride"),
                    c, checkedInt(cOffset + b0 * s.strideC(), "offset"), checkedInt(s.strideC(), "stride"));
        }
    }
}
