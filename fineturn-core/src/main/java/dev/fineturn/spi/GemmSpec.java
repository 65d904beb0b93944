package dev.fineturn.spi;

/**
 * A (batched) row-major GEMM: {@code C[b] = alpha * op(A[b]) * op(B[b]) + beta * C[b]} where
 * {@code op(A)} is m x k and {@code op(B)} is k x n. Matrices are dense; a transposed operand is
 * stored as its transpose (A^T stored k x m). A batch stride of 0 broadcasts that operand.
 */
public record GemmSpec(int batch, int m, int n, int k, boolean transA, boolean transB,
                       long strideA, long strideB, long strideC) {
    public GemmSpec {
        if (batch < 1 || m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("gemm: bad sizes batch=" + batch + " m=" + m + " n=" + n + " k=" + k);
        }
    }

    public static GemmSpec of(int m, int n, int k, boolean transA, boolean transB) {
        return new GemmSpec(1, m, n, k, transA, transB, 0, 0, 0);
    }

    /** Leading dimension of A as stored. */
    public int lda() {
        return transA ? m : k;
    }

    public int ldb() {
        return transB ? k : n;
    }

    public double flops() {
        return 2.0 * batch * m * n * k;
    }
}
