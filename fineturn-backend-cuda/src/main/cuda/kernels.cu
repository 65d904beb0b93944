// fineturn CUDA kernels. Compiled to PTX (compute_80) by build-ptx.sh; the PTX is committed as a
// resource so that neither the build nor the user needs a CUDA toolkit.
// Unary op codes follow dev.fineturn.spi.UnaryOp's ordinal order, binary codes BinaryOp's.

struct Dims { int v[8]; };

__device__ float unary_f(int op, float a, float b, float x) {
    switch (op) {
        case 0: return x > 0.0f ? x : 0.0f;
        case 1: return fminf(fmaxf(x, 0.0f), a);
        case 2: return x > 0.0f ? x : a * x;
        case 3: return 1.0f / (1.0f + expf(-x));
        case 4: return tanhf(x);
        case 5: return fminf(fmaxf(a * x + b, 0.0f), 1.0f);
        case 6: return x * fminf(fmaxf(a * x + b, 0.0f), 1.0f);
        case 7: return expf(x);
        case 8: return logf(x);
        case 9: return sqrtf(x);
        case 10: return a * x + b;
        case 11: return x * x;
        case 12: return fabsf(x);
        case 13: return 1.0f / x;
    }
    return __int_as_float(0x7fc00000);
}

__device__ float unary_d(int op, float a, float b, float x, float y) {
    float t;
    switch (op) {
        case 0: return x > 0.0f ? 1.0f : 0.0f;
        case 1: return (x > 0.0f && x < a) ? 1.0f : 0.0f;
        case 2: return x > 0.0f ? 1.0f : a;
        case 3: return y * (1.0f - y);
        case 4: return 1.0f - y * y;
        case 5: t = a * x + b; return (t > 0.0f && t < 1.0f) ? a : 0.0f;
        case 6: t = a * x + b; return t <= 0.0f ? 0.0f : (t >= 1.0f ? 1.0f : t + a * x);
        case 7: return y;
        case 8: return 1.0f / x;
        case 9: return 0.5f / y;
        case 10: return a;
        case 11: return 2.0f * x;
        case 12: return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : 0.0f);
        case 13: return -y * y;
    }
    return __int_as_float(0x7fc00000);
}

extern "C" __global__ void fill(float* dst, int off, int n, float v) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) dst[off + i] = v;
}

extern "C" __global__ void unary(int op, float a, float b, const float* x, float* y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = unary_f(op, a, b, x[i]);
}

extern "C" __global__ void unary_backward(int op, float a, float b, const float* x, const float* y,
                                          const float* dy, float* dx, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) dx[i] = dy[i] * unary_d(op, a, b, x[i], y[i]);
}

extern "C" __global__ void binary(int op, int rank, Dims shape, Dims as, Dims bs,
                                  const float* a, int aOff, const float* b, int bOff, float* out, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    int rem = i, ia = aOff, ib = bOff;
    for (int d = rank - 1; d >= 0; d--) {
        int idx = rem % shape.v[d];
        rem /= shape.v[d];
        ia += idx * as.v[d];
        ib += idx * bs.v[d];
    }
    float x = a[ia], y = b[ib], r;
    switch (op) {
        case 0: r = x + y; break;
        case 1: r = x - y; break;
        case 2: r = x * y; break;
        case 3: r = x / y; break;
        case 4: r = fmaxf(x, y); break;
        default: r = fminf(x, y); break;
    }
    out[i] = r;
}

extern "C" __global__ void copy_strided(int rank, Dims shape, Dims ss, Dims ds,
                                        const float* src, int sOff, float* dst, int dOff, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    int rem = i, is = sOff, id = dOff;
    for (int d = rank - 1; d >= 0; d--) {
        int idx = rem % shape.v[d];
        rem /= shape.v[d];
        is += idx * ss.v[d];
        id += idx * ds.v[d];
    }
    dst[id] = src[is];
}

#define TILE 32
// Batched row-major SGEMM, 32x32 tiles in shared memory; grid z is the batch.
extern "C" __global__ void gemm(int m, int n, int k, int transA, int transB, float alpha, float beta,
                                const float* A, int aOff, int strideA, const float* B, int bOff, int strideB,
                                float* C, int cOff, int strideC) {
    __shared__ float As[TILE][TILE];
    __shared__ float Bs[TILE][TILE + 1];
    int col = blockIdx.x * TILE + threadIdx.x;
    int row = blockIdx.y * TILE + threadIdx.y;
    A += aOff + (long long) blockIdx.z * strideA;
    B += bOff + (long long) blockIdx.z * strideB;
    C += cOff + (long long) blockIdx.z * strideC;
    float acc = 0.0f;
    for (int t = 0; t < k; t += TILE) {
        int ak = t + threadIdx.x;
        int bk = t + threadIdx.y;
        As[threadIdx.y][threadIdx.x] = (row < m && ak < k) ? (transA ? A[ak * m + row] : A[row * k + ak]) : 0.0f;
        Bs[threadIdx.y][threadIdx.x] = (col < n && bk < k) ? (transB ? B[col * k + bk] : B[bk * n + col]) : 0.0f;
        __syncthreads();
#pragma unroll
        for (int p = 0; p < TILE; p++) acc += As[threadIdx.y][p] * Bs[p][threadIdx.x];
        __syncthreads();
    }
    if (row < m && col < n) {
        int ci = row * n + col;
        C[ci] = beta == 0.0f ? alpha * acc : alpha * acc + beta * C[ci];
    }
}
