// The tiled GEMM of the CUDA backend; included by kernels.cu after the shared families it uses.

#define GEMM_THREADS 256

// ---- tiled GEMM -----------------------------------------------------------------------------
// A block of 16 x 16 = 256 threads computes a BM x BN tile of C = op(A) op(B) over k in
// [kBegin, kEnd). Thread (tx, ty) owns the (BM/16) x (BN/16) register block of rows ty + 16i and
// columns tx + 16j, which keeps its shared-memory reads free of bank conflicts. BK-deep slices of
// A and B pass through shared memory stored k-major (As[k][m], Bs[k][n]), padded by 4 floats. Each
// thread loads BM * BK / 256 elements of each slice; "k-fast" loads walk k fastest (for operands
// contiguous in k), the others walk m (or n) fastest. Out-of-range elements load as zero.
//
// Op supplies the operands and the epilogue, so the same loop serves the GEMM and the
// implicit-GEMM convolutions (no im2col buffer):
//   float a(int m, int k), float b(int k, int n), void store(int m, int n, float v).
template <int BM, int BN, int BK, class Op>
__device__ void tiled_gemm(const Op& op, int M, int N, int kBegin, int kEnd, bool aKFast, bool bKFast) {
    __shared__ float As[BK][BM + 4];
    __shared__ float Bs[BK][BN + 4];
    const int TM = BM / 16;
    const int TN = BN / 16;
    const int t = threadIdx.x;
    const int tx = t % 16;
    const int ty = t / 16;
    const int m0 = blockIdx.y * BM;
    const int n0 = blockIdx.x * BN;
    float acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; i++) {
#pragma unroll
        for (int j = 0; j < TN; j++) acc[i][j] = 0.0f;
    }
    for (int k0 = kBegin; k0 < kEnd; k0 += BK) {
#pragma unroll
        for (int e = 0; e < BM * BK / GEMM_THREADS; e++) {
            int l = t + GEMM_THREADS * e;
            int kk = aKFast ? l % BK : l / BM;
            int mm = aKFast ? l / BK : l % BM;
            int gm = m0 + mm;
            int gk = k0 + kk;
            As[kk][mm] = (gm < M && gk < kEnd) ? op.a(gm, gk) : 0.0f;
        }
#pragma unroll
        for (int e = 0; e < BN * BK / GEMM_THREADS; e++) {
            int l = t + GEMM_THREADS * e;
            int kk = bKFast ? l % BK : l / BN;
            int nn = bKFast ? l / BK : l % BN;
            int gn = n0 + nn;
            int gk = k0 + kk;
            Bs[kk][nn] = (gn < N && gk < kEnd) ? op.b(gk, gn) : 0.0f;
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < BK; kk++) {
            float ra[TM];
            float rb[TN];
#pragma unroll
            for (int i = 0; i < TM; i++) ra[i] = As[kk][ty + 16 * i];
#pragma unroll
            for (int j = 0; j < TN; j++) rb[j] = Bs[kk][tx + 16 * j];
#pragma unroll
            for (int i = 0; i < TM; i++) {
#pragma unroll
                for (int j = 0; j < TN; j++) acc[i][j] = fmaf(ra[i], rb[j], acc[i][j]);
            }
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < TM; i++) {
        int gm = m0 + ty + 16 * i;
#pragma unroll
        for (int j = 0; j < TN; j++) {
            int gn = n0 + tx + 16 * j;
            if (gm < M && gn < N) op.store(gm, gn, acc[i][j]);
        }
    }
}

// The two tile shapes: 128 x 128 with 8 x 8 outputs per thread for large products, and 64 x 64
// with 4 x 4 per thread where large tiles would leave the device idle or mostly empty.
#define TILED_GEMM_LARGE(op, M, N, kb, ke, akf, bkf) tiled_gemm<128, 128, 8>(op, M, N, kb, ke, akf, bkf)
#define TILED_GEMM_SMALL(op, M, N, kb, ke, akf, bkf) tiled_gemm<64, 64, 16>(op, M, N, kb, ke, akf, bkf)

struct GemmOp {
    const float* A;
    const float* B;
    float* C;
    int m, n, k, transA, transB;
    float alpha, beta;
    __device__ float a(int i, int p) const { return transA ? A[p * m + i] : A[i * k + p]; }
    __device__ float b(int p, int j) const { return transB ? B[j * k + p] : B[p * n + j]; }
    __device__ void store(int i, int j, float v) const {
        int ci = i * n + j;
        C[ci] = beta == 0.0f ? alpha * v : alpha * v + beta * C[ci];
    }
};

__device__ GemmOp gemm_op(int m, int n, int k, int transA, int transB, float alpha, float beta,
                          const float* A, int aOff, int strideA, const float* B, int bOff, int strideB,
                          float* C, int cOff, int strideC) {
    GemmOp op;
    op.A = A + aOff + (long long) blockIdx.z * strideA;
    op.B = B + bOff + (long long) blockIdx.z * strideB;
    op.C = C + cOff + (long long) blockIdx.z * strideC;
    op.m = m;
    op.n = n;
    op.k = k;
    op.transA = transA;
    op.transB = transB;
    op.alpha = alpha;
    op.beta = beta;
    return op;
}

// C[b] = alpha * op(A[b]) op(B[b]) + beta * C[b], row-major; grid (n tiles, m tiles, batch).
extern "C" __global__ void gemm_large(int m, int n, int k, int transA, int transB, float alpha, float beta,
                                      const float* A, int aOff, int strideA, const float* B, int bOff,
                                      int strideB, float* C, int cOff, int strideC) {
    GemmOp op = gemm_op(m, n, k, transA, transB, alpha, beta, A, aOff, strideA, B, bOff, strideB, C, cOff,
                        strideC);
    TILED_GEMM_LARGE(op, m, n, 0, k, !transA, transB != 0);
}

extern "C" __global__ void gemm_small(int m, int n, int k, int transA, int transB, float alpha, float beta,
                                      const float* A, int aOff, int strideA, const float* B, int bOff,
                                      int strideB, float* C, int cOff, int strideC) {
    GemmOp op = gemm_op(m, n, k, transA, transB, alpha, beta, A, aOff, strideA, B, bOff, strideB, C, cOff,
                        strideC);
    TILED_GEMM_SMALL(op, m, n, 0, k, !transA, transB != 0);
}
