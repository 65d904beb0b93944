package dev.fineturn.reference;

import dev.fineturn.spi.GemmSpec;

/** Triple-loop GEMM with double accumulation. */
public final class GemmKernels {
    private GemmKernels() {
    }

    public static void gemm(GemmSpec s, float alpha, float[] a, int aOffset, float[] b, int bOffset,
                            float beta, float[] c, int cOffset) {
        int m = s.m();
        int n = s.n();
        int k = s.k();
        for (int bt = 0; bt < s.batch(); bt++) {
            int ao = aOffset + (int) (bt * s.strideA());
            int bo = bOffset + (int) (bt * s.strideB());
            int co = cOffset + (int) (bt * s.strideC());
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    for (int p = 0; p < k; p++) {
                        float av = s.transA() ? a[ao + p * m + i] : a[ao + i * k + p];
                        float bv = s.transB() ? b[bo + j * k + p] : b[bo + p * n + j];
                        sum += (double) av * bv;
                    }
                    int ci = co + i * n + j;
                    c[ci] = beta == 0f ? (float) (alpha * sum) : (float) (alpha * sum + beta * c[ci]);
                }
            }
        }
    }
}
