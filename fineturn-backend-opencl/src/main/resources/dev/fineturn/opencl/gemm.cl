// Tiled GEMM, shared with the implicit-GEMM convolution kernels. A work-group of 16x16 work-items
// computes a TS x TS tile of the output; work-item (lr, lc) owns the RT x RT block of rows
// lr + 16i and columns lc + 16j. Operands pass through local memory in BK-deep slices stored
// k-major (As[k][row], Bs[k][col]), padded by one column against bank conflicts.
#define BK 16
#define RT 4
#define TS 64

// Slice loads: each of the 256 work-items loads RT elements of a BK x TS slice. "k-fast" slots
// walk k fastest (for operands contiguous in k), "wide-fast" slots walk the TS side fastest.
#define TID (get_local_id(1) * 16 + get_local_id(0))
#define KFAST_K(e) (TID % BK)
#define KFAST_W(e) (TID / BK + 16 * (e))
#define WFAST_K(e) (TID / TS + (256 / TS) * (e))
#define WFAST_W(e) (TID % TS)

void tile_fma(__local float (*As)[TS + 1], __local float (*Bs)[TS + 1], float (*acc)[RT], int lr, int lc) {
    for (int k = 0; k < BK; k++) {
        float a[RT];
        float b[RT];
        for (int i = 0; i < RT; i++) a[i] = As[k][lr + 16 * i];
        for (int j = 0; j < RT; j++) b[j] = Bs[k][lc + 16 * j];
        for (int i = 0; i < RT; i++) {
            for (int j = 0; j < RT; j++) acc[i][j] += a[i] * b[j];
        }
    }
}

// C[b] = alpha * op(A[b]) op(B[b]) + beta * C[b], row-major; dimension 2 is the batch.
__kernel void gemm(int m, int n, int k, int transA, int transB, float alpha, float beta,
                   __global const float* A, int aOff, int strideA,
                   __global const float* B, int bOff, int strideB,
                   __global float* C, int cOff, int strideC) {
    __local float As[BK][TS + 1];
    __local float Bs[BK][TS + 1];
    int lc = get_local_id(0);
    int lr = get_local_id(1);
    int row0 = get_group_id(1) * TS;
    int col0 = get_group_id(0) * TS;
    int batch = get_group_id(2);
    A += aOff + batch * strideA;
    B += bOff + batch * strideB;
    C += cOff + batch * strideC;
    float acc[RT][RT];
    for (int i = 0; i < RT; i++) {
        for (int j = 0; j < RT; j++) acc[i][j] = 0.0f;
    }
    for (int t = 0; t < k; t += BK) {
        for (int e = 0; e < RT; e++) {
            int ak = transA ? WFAST_K(e) : KFAST_K(e);
            int am = transA ? WFAST_W(e) : KFAST_W(e);
            int gm = row0 + am;
            int gk = t + ak;
            As[ak][am] = (gm < m && gk < k) ? (transA ? A[gk * m + gm] : A[gm * k + gk]) : 0.0f;
            int bk = transB ? KFAST_K(e) : WFAST_K(e);
            int bn = transB ? KFAST_W(e) : WFAST_W(e);
            int gn = col0 + bn;
            gk = t + bk;
            Bs[bk][bn] = (gn < n && gk < k) ? (transB ? B[gn * k + gk] : B[gk * n + gn]) : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        tile_fma(As, Bs, acc, lr, lc);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int i = 0; i < RT; i++) {
        int row = row0 + lr + 16 * i;
        for (int j = 0; j < RT; j++) {
            int col = col0 + lc + 16 * j;
            if (row < m && col < n) {
                int ci = row * n + col;
                C[ci] = beta == 0.0f ? alpha * acc[i][j] : alpha * acc[i][j] + beta * C[ci];
            }
        }
    }
}
