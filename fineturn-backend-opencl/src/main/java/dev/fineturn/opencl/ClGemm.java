package dev.fineturn.opencl;

import dev.fineturn.spi.GemmSpec;
import dev.fineturn.spi.Storage;

import static dev.fineturn.opencl.ClLauncher.checkedInt;

/** SGEMM: packed panels on CPU devices ({@link ClPackedGemm}), gemm.cl's local-memory tiles elsewhere. */
final class ClGemm {
    private ClGemm() {
    }

    static void gemm(ClLauncher k, GemmSpec s, float alpha, Storage a, long aOffset, Storage b, long bOffset,
                     float beta, Storage c, long cOffset) {
        if (s.m() == 0 || s.n() == 0) {
            return;
        }
        if (k.cpuKernels()) {
            ClPackedGemm.run(k, ClPackedGemm.NO_GEOMETRY, s.batch(), s.m(), s.n(), s.k(), alpha,
                    new ClPackedGemm.Source(ClPackedGemm.MATRIX, s.transA(), a, checkedInt(aOffset, "offset"),
                            checkedInt(s.strideA(), "stride")),
                    new ClPackedGemm.Source(ClPackedGemm.MATRIX, s.transB(), b, checkedInt(bOffset, "offset"),
                            checkedInt(s.strideB(), "stride")),
                    beta, ClPackedGemm.Target.matrix(c, checkedInt(cOffset, "offset"),
                            checkedInt(s.strideC(), "stride"), s.n()));
            return;
        }
        k.launch("gemm", ClRange.tiles(s.n(), s.m(), s.batch()), s.m(), s.n(), s.k(), s.transA() ? 1 : 0,
                s.transB() ? 1 : 0, alpha, beta, a, checkedInt(aOffset, "offset"), checkedInt(s.strideA(), "stride"),
                b, checkedInt(bOffset, "offset"), checkedInt(s.strideB(), "stride"), c, checkedInt(cOffset, "offset"),
                checkedInt(s.strideC(), "stride"));
    }
}
