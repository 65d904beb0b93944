// fineturn CUDA kernels. Compiled to PTX (compute_80) by build-ptx.sh; the PTX is committed as a
// resource so that neither the build nor the user needs a CUDA toolkit.
//
// The same source also compiles with g++ against src/test/cuda/cuda_emu.h, which runs each block's
// threads as std::threads; the kernel test there checks every kernel against naive loops. Keep to
// what that header emulates: no warp intrinsics, shared-memory tree reductions, __syncthreads()
// reached by every thread of a block.
//
// Conventions: unary op codes follow dev.fineturn.spi.UnaryOp's ordinal order, binary codes
// BinaryOp's. Kernels that use block_sum/block_max run with blockDim.x == RB exactly. The tiled
// GEMM kernels run with 256 threads in one dimension. Index arithmetic is 32-bit: the host refuses
// tensors beyond 2^31 - 1 elements.

#define RB 256
#define GEMM_THREADS 256

struct Dims { int v[8]; };
// Convolution: {batch, inC, inH, inW, outC, kh, kw, strideH, strideW, padTop, padLeft, dilationH,
//               dilationW, groups, outH, outW}.
// Pooling:     {planes, inH, inW, kh, kw, strideH, strideW, padTop, padLeft, padBottom, padRight,
//               countIncludePad, outH, outW, 0, 0}.
struct Geo { int v[16]; };

#define NAN_F __int_as_float(0x7fc00000)
#define NEG_INF_F __int_as_float(0xff800000)

// ---- elementwise ----------------------------------------------------------------------------

// Java's Math.max and Math.min, which the reference uses: NaN propagates and +0 > -0 (fmaxf and
// fminf return the other operand for NaN).
__device__ float java_max(float a, float b) {
    if (isnan(a)) return a;
    if (a == 0.0f && b == 0.0f && __float_as_int(a) < 0) return b;
    return a >= b ? a : b;
}

__device__ float java_min(float a, float b) {
    if (isnan(a)) return a;
    if (a == 0.0f && b == 0.0f && __float_as_int(b) < 0) return b;
    return a <= b ? a : b;
}

__device__ float unary_f(int op, float a, float b, float x) {
    switch (op) {
        case 0: return x > 0.0f ? x : 0.0f;
        case 1: return java_min(java_max(x, 0.0f), a);
        case 2: return x > 0.0f ? x : a * x;
        case 3: return 1.0f / (1.0f + expf(-x));
        case 4: return tanhf(x);
        case 5: return java_min(java_max(a * x + b, 0.0f), 1.0f);
        case 6: return x * java_min(java_max(a * x + b, 0.0f), 1.0f);
        case 7: return expf(x);
        case 8: return logf(x);
        case 9: return sqrtf(x);
        case 10: return a * x + b;
        case 11: return x * x;
        case 12: return fabsf(x);
        case 13: return 1.0f / x;
    }
    return NAN_F;
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
    return NAN_F;
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
        case 4: r = java_max(x, y); break;
        default: r = java_min(x, y); break;
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

// ---- block reductions -----------------------------------------------------------------------

// Sum over the block in a fixed tree, so results do not depend on scheduling. s holds RB floats.
__device__ float block_sum(float* s, float v) {
    int l = threadIdx.x;
    s[l] = v;
    __syncthreads();
    for (int h = RB / 2; h > 0; h >>= 1) {
        if (l < h) s[l] += s[l + h];
        __syncthreads();
    }
    float r = s[0];
    __syncthreads();
    return r;
}

// Maximum that propagates NaN, like Java's Math.max.
__device__ float max_nan(float a, float b) {
    return (isnan(a) || a > b) ? a : b;
}

__device__ float block_max(float* s, float v) {
    int l = threadIdx.x;
    s[l] = v;
    __syncthreads();
    for (int h = RB / 2; h > 0; h >>= 1) {
        if (l < h) s[l] = max_nan(s[l], s[l + h]);
        __syncthreads();
    }
    float r = s[0];
    __syncthreads();
    return r;
}

// Offset in the input of output element o and reduced element r. Dimensions are collapsed on the
// host: kept[d] is the output extent (1 where reduced), red[d] the reduced extent (1 where kept).
__device__ int reduce_offset(int rank, const Dims& kept, const Dims& red, const Dims& strides, int o, int r) {
    int off = 0;
    for (int d = rank - 1; d >= 0; d--) {
        off += (o % kept.v[d] + r % red.v[d]) * strides.v[d];
        o /= kept.v[d];
        r /= red.v[d];
    }
    return off;
}

// One thread per output element; for few reduced elements per output.
extern "C" __global__ void sum_reduce_serial(int rank, Dims kept, Dims red, Dims strides, const float* in,
                                             float* out, int outSize, int count) {
    int o = blockIdx.x * blockDim.x + threadIdx.x;
    if (o >= outSize) return;
    float acc = 0.0f;
    for (int r = 0; r < count; r++) acc += in[reduce_offset(rank, kept, red, strides, o, r)];
    out[o] = acc;
}

// One block of RB per output element.
extern "C" __global__ void sum_reduce_block(int rank, Dims kept, Dims red, Dims strides, const float* in,
                                            float* out, int count) {
    __shared__ float s[RB];
    int o = blockIdx.x;
    float acc = 0.0f;
    for (int r = threadIdx.x; r < count; r += RB) acc += in[reduce_offset(rank, kept, red, strides, o, r)];
    float total = block_sum(s, acc);
    if (threadIdx.x == 0) out[o] = total;
}

// out[i] = sum over s of parts[s * n + i], in order of s.
extern "C" __global__ void sum_partials(const float* parts, int splits, float* out, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float acc = 0.0f;
    for (int s = 0; s < splits; s++) acc += parts[s * n + i];
    out[i] = acc;
}

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

// ---- convolution ----------------------------------------------------------------------------

#define CONV_GEOMETRY(g) \
    const int N = g.v[0], C = g.v[1], H = g.v[2], W = g.v[3], OC = g.v[4], KH = g.v[5], KW = g.v[6]; \
    const int SH = g.v[7], SW = g.v[8], PT = g.v[9], PL = g.v[10], DH = g.v[11], DW = g.v[12]; \
    const int G = g.v[13], OH = g.v[14], OW = g.v[15]; \
    const int ICG = C / G, OCG = OC / G, KHW = KH * KW; \
    (void) N; (void) KH; (void) G; (void) OH; (void) OW; (void) ICG; (void) OCG; (void) KHW

struct ConvDims {
    int N, C, H, W, OC, KH, KW, SH, SW, PT, PL, DH, DW, G, OH, OW, ICG, OCG, KHW;
};

__device__ ConvDims conv_dims(const Geo& g) {
    ConvDims d;
    d.N = g.v[0]; d.C = g.v[1]; d.H = g.v[2]; d.W = g.v[3]; d.OC = g.v[4]; d.KH = g.v[5]; d.KW = g.v[6];
    d.SH = g.v[7]; d.SW = g.v[8]; d.PT = g.v[9]; d.PL = g.v[10]; d.DH = g.v[11]; d.DW = g.v[12];
    d.G = g.v[13]; d.OH = g.v[14]; d.OW = g.v[15];
    d.ICG = d.C / d.G;
    d.OCG = d.OC / d.G;
    d.KHW = d.KH * d.KW;
    return d;
}

// y[n, grp*OCG + m, p] = sum_k w[grp*OCG + m, k] * im2col(x)[k, (n, p)], k = (ic, ky, kx): rows are
// the group's output channels, columns the output pixels of the whole batch.
struct ConvFwdOp {
    ConvDims d;
    const float* x;
    const float* w;
    float* y;
    int grp;
    __device__ float a(int m, int k) const { return w[(grp * d.OCG + m) * d.ICG * d.KHW + k]; }
    __device__ float b(int k, int col) const {
        int ic = k / d.KHW;
        int r = k - ic * d.KHW;
        int ky = r / d.KW;
        int kx = r - ky * d.KW;
        int ohw = d.OH * d.OW;
        int n = col / ohw;
        int s = col - n * ohw;
        int oy = s / d.OW;
        int iy = oy * d.SH - d.PT + ky * d.DH;
        int ix = (s - oy * d.OW) * d.SW - d.PL + kx * d.DW;
        if (iy < 0 || iy >= d.H || ix < 0 || ix >= d.W) return 0.0f;
        return x[((n * d.C + grp * d.ICG + ic) * d.H + iy) * d.W + ix];
    }
    __device__ void store(int m, int col, float v) const {
        int ohw = d.OH * d.OW;
        int n = col / ohw;
        y[(n * d.OC + grp * d.OCG + m) * ohw + col - n * ohw] = v;
    }
};

// dx[n, grp*ICG + m, p] = sum_k w^T[m, k] * dy-gathered[k, (n, p)], k = (oc, ky, kx): a transposed
// convolution that gathers, so no atomics are needed. Columns are the input pixels of the batch.
struct ConvBwdDataOp {
    ConvDims d;
    const float* dy;
    const float* w;
    float* dx;
    int grp;
    __device__ float a(int m, int k) const {
        int oc = k / d.KHW;
        return w[((grp * d.OCG + oc) * d.ICG + m) * d.KHW + k - oc * d.KHW];
    }
    __device__ float b(int k, int col) const {
        int oc = k / d.KHW;
        int r = k - oc * d.KHW;
        int ky = r / d.KW;
        int kx = r - ky * d.KW;
        int hw = d.H * d.W;
        int n = col / hw;
        int s = col - n * hw;
        int iy = s / d.W;
        int ix = s - iy * d.W;
        int ty = iy + d.PT - ky * d.DH;
        int tx = ix + d.PL - kx * d.DW;
        if (ty < 0 || tx < 0 || ty % d.SH != 0 || tx % d.SW != 0) return 0.0f;
        int oy = ty / d.SH;
        int ox = tx / d.SW;
        if (oy >= d.OH || ox >= d.OW) return 0.0f;
        return dy[((n * d.OC + grp * d.OCG + oc) * d.OH + oy) * d.OW + ox];
    }
    __device__ void store(int m, int col, float v) const {
        int hw = d.H * d.W;
        int n = col / hw;
        dx[(n * d.C + grp * d.ICG + m) * hw + col - n * hw] = v;
    }
};

// dw[grp*OCG + m, j] = sum_q dy[(n, grp*OCG + m), q] * im2col(x)[j, q], j = (ic, ky, kx),
// q = (n, oy, ox). The reduction over q may be split: block z is grp * splits + split, and each
// split writes its own [OC, ICG*KHW] slice of out for sum_partials to add in a fixed order.
struct ConvBwdWeightsOp {
    ConvDims d;
    const float* x;
    const float* dy;
    float* out;
    int grp;
    int split;
    __device__ float a(int m, int q) const {
        int ohw = d.OH * d.OW;
        int n = q / ohw;
        return dy[(n * d.OC + grp * d.OCG + m) * ohw + q - n * ohw];
    }
    __device__ float b(int q, int j) const {
        int ic = j / d.KHW;
        int r = j - ic * d.KHW;
        int ky = r / d.KW;
        int kx = r - ky * d.KW;
        int ohw = d.OH * d.OW;
        int n = q / ohw;
        int s = q - n * ohw;
        int oy = s / d.OW;
        int iy = oy * d.SH - d.PT + ky * d.DH;
        int ix = (s - oy * d.OW) * d.SW - d.PL + kx * d.DW;
        if (iy < 0 || iy >= d.H || ix < 0 || ix >= d.W) return 0.0f;
        return x[((n * d.C + grp * d.ICG + ic) * d.H + iy) * d.W + ix];
    }
    __device__ void store(int m, int j, float v) const {
        int J = d.ICG * d.KHW;
        out[split * d.OC * J + (grp * d.OCG + m) * J + j] = v;
    }
};

// Grid (pixel tiles, output-channel tiles, groups).
#define CONV_FWD_KERNEL(name, TILED)                                                              \
    extern "C" __global__ void name(Geo geo, const float* x, const float* w, float* y) {         \
        ConvFwdOp op;                                                                             \
        op.d = conv_dims(geo);                                                                    \
        op.x = x;                                                                                 \
        op.w = w;                                                                                 \
        op.y = y;                                                                                 \
        op.grp = blockIdx.z;                                                                      \
        TILED(op, op.d.OCG, op.d.N * op.d.OH * op.d.OW, 0, op.d.ICG * op.d.KHW, true, false);     \
    }
CONV_FWD_KERNEL(conv_fwd_large, TILED_GEMM_LARGE)
CONV_FWD_KERNEL(conv_fwd_small, TILED_GEMM_SMALL)

// Grid (input-pixel tiles, input-channel tiles, groups).
#define CONV_BWD_DATA_KERNEL(name, TILED)                                                         \
    extern "C" __global__ void name(Geo geo, const float* dy, const float* w, float* dx) {       \
        ConvBwdDataOp op;                                                                         \
        op.d = conv_dims(geo);                                                                    \
        op.dy = dy;                                                                               \
        op.w = w;                                                                                 \
        op.dx = dx;                                                                               \
        op.grp = blockIdx.z;                                                                      \
        TILED(op, op.d.ICG, op.d.N * op.d.H * op.d.W, 0, op.d.OCG * op.d.KHW, true, false);       \
    }
CONV_BWD_DATA_KERNEL(conv_bwd_data_large, TILED_GEMM_LARGE)
CONV_BWD_DATA_KERNEL(conv_bwd_data_small, TILED_GEMM_SMALL)

// Grid (weight-column tiles, output-channel tiles, groups * splits); split s reduces
// q in [s * chunk, min((s + 1) * chunk, N*OH*OW)).
#define CONV_BWD_WEIGHTS_KERNEL(name, TILED)                                                      \
    extern "C" __global__ void name(Geo geo, const float* x, const float* dy, float* out, int splits, \
                                    int chunk) {                                                  \
        ConvBwdWeightsOp op;                                                                      \
        op.d = conv_dims(geo);                                                                    \
        op.x = x;                                                                                 \
        op.dy = dy;                                                                               \
        op.out = out;                                                                             \
        op.grp = blockIdx.z / splits;                                                             \
        op.split = blockIdx.z - op.grp * splits;                                                  \
        int q = op.d.N * op.d.OH * op.d.OW;                                                       \
        int kBegin = op.split * chunk;                                                            \
        int kEnd = min(q, kBegin + chunk);                                                        \
        TILED(op, op.d.OCG, op.d.ICG * op.d.KHW, kBegin, kEnd, true, true);                       \
    }
CONV_BWD_WEIGHTS_KERNEL(conv_bwd_weights_large, TILED_GEMM_LARGE)
CONV_BWD_WEIGHTS_KERNEL(conv_bwd_weights_small, TILED_GEMM_SMALL)

// Depthwise-like groups (one input or one output channel per group), where a GEMM tile would be
// mostly padding: one thread per output element.
extern "C" __global__ void conv_fwd_direct(Geo geo, const float* x, const float* w, float* y) {
    CONV_GEOMETRY(geo);
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= N * OC * OH * OW) return;
    int ox = i % OW;
    int t = i / OW;
    int oy = t % OH;
    t /= OH;
    int oc = t % OC;
    int n = t / OC;
    int grp = oc / OCG;
    int iy0 = oy * SH - PT;
    int ix0 = ox * SW - PL;
    float acc = 0.0f;
    for (int ic = 0; ic < ICG; ic++) {
        int xb = (n * C + grp * ICG + ic) * H * W;
        int wb = (oc * ICG + ic) * KHW;
        for (int ky = 0; ky < KH; ky++) {
            int iy = iy0 + ky * DH;
            if (iy < 0 || iy >= H) continue;
            for (int kx = 0; kx < KW; kx++) {
                int ix = ix0 + kx * DW;
                if (ix < 0 || ix >= W) continue;
                acc += x[xb + iy * W + ix] * w[wb + ky * KW + kx];
            }
        }
    }
    y[i] = acc;
}

// One thread per input element, gathering from the outputs its taps reach.
extern "C" __global__ void conv_bwd_data_direct(Geo geo, const float* dy, const float* w, float* dx) {
    CONV_GEOMETRY(geo);
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= N * C * H * W) return;
    int ix = i % W;
    int t = i / W;
    int iy = t % H;
    t /= H;
    int c = t % C;
    int n = t / C;
    int grp = c / ICG;
    int ic = c - grp * ICG;
    float acc = 0.0f;
    for (int oc = grp * OCG; oc < (grp + 1) * OCG; oc++) {
        int db = (n * OC + oc) * OH * OW;
        int wb = (oc * ICG + ic) * KHW;
        for (int ky = 0; ky < KH; ky++) {
            int ty = iy + PT - ky * DH;
            if (ty < 0 || ty % SH != 0 || ty / SH >= OH) continue;
            for (int kx = 0; kx < KW; kx++) {
                int tx = ix + PL - kx * DW;
                if (tx < 0 || tx % SW != 0 || tx / SW >= OW) continue;
                acc += dy[db + (ty / SH) * OW + tx / SW] * w[wb + ky * KW + kx];
            }
        }
    }
    dx[i] = acc;
}

// One block of RB per weight element, reducing over (n, oy, ox).
extern "C" __global__ void conv_bwd_weights_direct(Geo geo, const float* x, const float* dy, float* dw) {
    CONV_GEOMETRY(geo);
    __shared__ float s[RB];
    int j = blockIdx.x;
    int kx = j % KW;
    int t = j / KW;
    int ky = t % KH;
    t /= KH;
    int ic = t % ICG;
    int oc = t / ICG;
    int c = (oc / OCG) * ICG + ic;
    int OHW = OH * OW;
    float acc = 0.0f;
    for (int q = threadIdx.x; q < N * OHW; q += RB) {
        int n = q / OHW;
        int p = q - n * OHW;
        int oy = p / OW;
        int iy = oy * SH - PT + ky * DH;
        int ix = (p - oy * OW) * SW - PL + kx * DW;
        if (iy >= 0 && iy < H && ix >= 0 && ix < W) {
            acc += dy[(n * OC + oc) * OHW + p] * x[((n * C + c) * H + iy) * W + ix];
        }
    }
    float total = block_sum(s, acc);
    if (threadIdx.x == 0) dw[j] = total;
}

// ---- pooling --------------------------------------------------------------------------------
// Backward kernels gather per input element, visiting the windows in the same (oy, ox) order as
// the reference, so no atomics are needed.

#define POOL_GEOMETRY(g) \
    const int PLANES = g.v[0], H = g.v[1], W = g.v[2], KH = g.v[3], KW = g.v[4], SH = g.v[5], SW = g.v[6]; \
    const int PT = g.v[7], PL = g.v[8], PB = g.v[9], PR = g.v[10], INCLUDE_PAD = g.v[11]; \
    const int OH = g.v[12], OW = g.v[13]; \
    (void) PB; (void) PR; (void) INCLUDE_PAD

// Offset within the plane of the first maximum of window (oy, ox), scanning row-major; NaN wins.
// -1 for a window that lies entirely in the padding.
__device__ int pool_argmax(const float* plane, int H, int W, int KH, int KW, int SH, int SW, int PT, int PL,
                           int oy, int ox) {
    int y0 = oy * SH - PT;
    int x0 = ox * SW - PL;
    int best = -1;
    float bestValue = NEG_INF_F;
    for (int iy = max(y0, 0); iy < min(y0 + KH, H); iy++) {
        for (int ix = max(x0, 0); ix < min(x0 + KW, W); ix++) {
            float v = plane[iy * W + ix];
            if (best < 0 || v > bestValue || (isnan(v) && !isnan(bestValue))) {
                best = iy * W + ix;
                bestValue = v;
            }
        }
    }
    return best;
}

// count_include_pad clips the window to the padded input, otherwise to the input.
__device__ int pool_divisor(int H, int W, int KH, int KW, int PB, int PR, int includePad, int y0, int x0) {
    if (includePad) {
        return (min(y0 + KH, H + PB) - y0) * (min(x0 + KW, W + PR) - x0);
    }
    return max(1, (min(y0 + KH, H) - max(y0, 0)) * (min(x0 + KW, W) - max(x0, 0)));
}

// First output index whose window covers input index `at`.
__device__ int pool_first(int at, int pad, int k, int s) {
    int num = at + pad - k;
    return num < 0 ? 0 : num / s + 1;
}

// Last output index whose window covers input index `at` (below pool_first when none).
__device__ int pool_last(int at, int pad, int s, int outSize) {
    return min((at + pad) / s, outSize - 1);
}

extern "C" __global__ void max_pool_fwd(Geo geo, const float* x, float* y) {
    POOL_GEOMETRY(geo);
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= PLANES * OH * OW) return;
    int ox = i % OW;
    int oy = (i / OW) % OH;
    const float* plane = x + (i / (OH * OW)) * H * W;
    int best = pool_argmax(plane, H, W, KH, KW, SH, SW, PT, PL, oy, ox);
    y[i] = best < 0 ? NEG_INF_F : plane[best];
}

extern "C" __global__ void max_pool_bwd(Geo geo, const float* x, const float* dy, float* dx) {
    POOL_GEOMETRY(geo);
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= PLANES * H * W) return;
    int ix = i % W;
    int iy = (i / W) % H;
    int p = i / (H * W);
    const float* plane = x + p * H * W;
    const float* dyp = dy + p * OH * OW;
    int y1 = pool_last(iy, PT, SH, OH);
    int x1 = pool_last(ix, PL, SW, OW);
    float acc = 0.0f;
    for (int oy = pool_first(iy, PT, KH, SH); oy <= y1; oy++) {
        for (int ox = pool_first(ix, PL, KW, SW); ox <= x1; ox++) {
            if (pool_argmax(plane, H, W, KH, KW, SH, SW, PT, PL, oy, ox) == iy * W + ix) acc += dyp[oy * OW + ox];
        }
    }
    dx[i] = acc;
}

extern "C" __global__ void avg_pool_fwd(Geo geo, const float* x, float* y) {
    POOL_GEOMETRY(geo);
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= PLANES * OH * OW) return;
    int ox = i % OW;
    int oy = (i / OW) % OH;
    const float* plane = x + (i / (OH * OW)) * H * W;
    int y0 = oy * SH - PT;
    int x0 = ox * SW - PL;
    float sum = 0.0f;
    for (int iy = max(y0, 0); iy < min(y0 + KH, H); iy++) {
        for (int ix = max(x0, 0); ix < min(x0 + KW, W); ix++) sum += plane[iy * W + ix];
    }
    y[i] = sum / (float) pool_divisor(H, W, KH, KW, PB, PR, INCLUDE_PAD, y0, x0);
}

extern "C" __global__ void avg_pool_bwd(Geo geo, const float* dy, float* dx) {
    POOL_GEOMETRY(geo);
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= PLANES * H * W) return;
    int ix = i % W;
    int iy = (i / W) % H;
    const float* dyp = dy + (i / (H * W)) * OH * OW;
    int y1 = pool_last(iy, PT, SH, OH);
    int x1 = pool_last(ix, PL, SW, OW);
    float acc = 0.0f;
    for (int oy = pool_first(iy, PT, KH, SH); oy <= y1; oy++) {
        for (int ox = pool_first(ix, PL, KW, SW); ox <= x1; ox++) {
            int d = pool_divisor(H, W, KH, KW, PB, PR, INCLUDE_PAD, oy * SH - PT, ox * SW - PL);
            acc += dyp[oy * OW + ox] / (float) d;
        }
    }
    dx[i] = acc;
}

// ---- softmax and cross-entropy: one block of RB per row --------------------------------------

extern "C" __global__ void softmax_rows(int cols, int logMode, const float* x, float* y) {
    __shared__ float s[RB];
    int l = threadIdx.x;
    const float* xr = x + (long long) blockIdx.x * cols;
    float* yr = y + (long long) blockIdx.x * cols;
    float m = NEG_INF_F;
    for (int c = l; c < cols; c += RB) m = max_nan(m, xr[c]);
    m = block_max(s, m);
    float sum = 0.0f;
    for (int c = l; c < cols; c += RB) sum += expf(xr[c] - m);
    sum = block_sum(s, sum);
    float logSum = logf(sum);
    for (int c = l; c < cols; c += RB) {
        float shifted = xr[c] - m;
        yr[c] = logMode ? shifted - logSum : expf(shifted) / sum;
    }
}

extern "C" __global__ void softmax_backward_rows(int cols, int logMode, const float* y, const float* dy,
                                                 float* dx) {
    __shared__ float s[RB];
    int l = threadIdx.x;
    long long o = (long long) blockIdx.x * cols;
    float dot = 0.0f;
    for (int c = l; c < cols; c += RB) dot += logMode ? dy[o + c] : dy[o + c] * y[o + c];
    dot = block_sum(s, dot);
    for (int c = l; c < cols; c += RB) {
        dx[o + c] = logMode ? dy[o + c] - expf(y[o + c]) * dot : y[o + c] * (dy[o + c] - dot);
    }
}

// The class index stored as a float, or -1 when it is not an integer in [0, cols).
__device__ int ce_label(float v, int cols) {
    return (v >= 0.0f && v < (float) cols && floorf(v) == v) ? (int) v : -1;
}

// Writes the probabilities and the row's loss; a row with an invalid label gets a NaN loss (the
// device cannot throw; the int[] overload of Losses.crossEntropy validates on the host).
extern "C" __global__ void cross_entropy_fwd(int cols, float smoothing, const float* logits, const float* labels,
                                             float* probs, float* rowLoss) {
    __shared__ float s[RB];
    int l = threadIdx.x;
    int r = blockIdx.x;
    const float* xr = logits + (long long) r * cols;
    float* pr = probs + (long long) r * cols;
    float m = NEG_INF_F;
    for (int c = l; c < cols; c += RB) m = max_nan(m, xr[c]);
    m = block_max(s, m);
    float sum = 0.0f;
    for (int c = l; c < cols; c += RB) sum += expf(xr[c] - m);
    float logSum = logf(block_sum(s, sum)) + m;
    float sumLogP = 0.0f;
    for (int c = l; c < cols; c += RB) {
        float logp = xr[c] - logSum;
        sumLogP += logp;
        pr[c] = expf(logp);
    }
    sumLogP = block_sum(s, sumLogP);
    if (l == 0) {
        int label = ce_label(labels[r], cols);
        float nll = label < 0 ? NAN_F : -(xr[label] - logSum);
        rowLoss[r] = (1.0f - smoothing) * nll - smoothing / cols * sumLogP;
    }
}

// dLogits[r, c] = dRowLoss[r] * (probs[r, c] - target[r, c]); one thread per element.
extern "C" __global__ void cross_entropy_bwd(int rows, int cols, float smoothing, const float* probs,
                                             const float* labels, const float* dRowLoss, float* dLogits) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= rows * cols) return;
    int r = i / cols;
    int c = i - r * cols;
    int label = ce_label(labels[r], cols);
    float target = smoothing / cols + (c == label ? 1.0f - smoothing : 0.0f);
    dLogits[i] = label < 0 ? NAN_F : dRowLoss[r] * (probs[i] - target);
}

// ---- batch normalisation over NCHW data seen as [n, c, hw] -----------------------------------
// Per-channel reductions run one block of RB per channel; per-element kernels one thread each.

// Element i of channel ch's n * hw values.
#define BN_AT(i, c, hw, ch) (((i) / (hw) * (c) + (ch)) * (hw) + (i) % (hw))

// Two passes, like the reference: the mean, then the biased variance around it.
extern "C" __global__ void bn_statistics(int n, int c, int hw, const float* x, float* mean, float* var) {
    __shared__ float s[RB];
    int ch = blockIdx.x;
    int count = n * hw;
    float sum = 0.0f;
    for (int i = threadIdx.x; i < count; i += RB) sum += x[BN_AT(i, c, hw, ch)];
    float mu = block_sum(s, sum) / (float) count;
    float sq = 0.0f;
    for (int i = threadIdx.x; i < count; i += RB) {
        float d = x[BN_AT(i, c, hw, ch)] - mu;
        sq += d * d;
    }
    sq = block_sum(s, sq);
    if (threadIdx.x == 0) {
        mean[ch] = mu;
        var[ch] = sq / (float) count;
    }
}

extern "C" __global__ void bn_forward(int n, int c, int hw, float eps, const float* x, const float* mean,
                                      const float* var, const float* gamma, const float* beta, float* y) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n * c * hw) return;
    int ch = (i / hw) % c;
    float scale = gamma[ch] / sqrtf(var[ch] + eps);
    y[i] = (x[i] - mean[ch]) * scale + beta[ch];
}

// dgamma = sum(dy * xhat), dbeta = sum(dy) per channel.
extern "C" __global__ void bn_backward_reduce(int n, int c, int hw, float eps, const float* x, const float* dy,
                                              const float* mean, const float* var, float* dgamma,
                                              float* dbeta) {
    __shared__ float s[RB];
    int ch = blockIdx.x;
    int count = n * hw;
    float mu = mean[ch];
    float invStd = 1.0f / sqrtf(var[ch] + eps);
    float sumDy = 0.0f;
    float sumDyXhat = 0.0f;
    for (int i = threadIdx.x; i < count; i += RB) {
        int at = BN_AT(i, c, hw, ch);
        sumDy += dy[at];
        sumDyXhat += dy[at] * (x[at] - mu) * invStd;
    }
    sumDy = block_sum(s, sumDy);
    sumDyXhat = block_sum(s, sumDyXhat);
    if (threadIdx.x == 0) {
        dgamma[ch] = sumDyXhat;
        dbeta[ch] = sumDy;
    }
}

// dx from the reduced sums; with batchStatistics the mean and variance depend on x.
extern "C" __global__ void bn_backward_data(int n, int c, int hw, float eps, int batchStatistics, const float* x,
                                            const float* dy, const float* mean, const float* var,
                                            const float* gamma, const float* dgamma, const float* dbeta,
                                            float* dx) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n * c * hw) return;
    int ch = (i / hw) % c;
    float invStd = 1.0f / sqrtf(var[ch] + eps);
    float g = gamma[ch] * invStd;
    if (batchStatistics) {
        float count = (float) (n * hw);
        float xhat = (x[i] - mean[ch]) * invStd;
        dx[i] = g * (dy[i] - dbeta[ch] / count - xhat * dgamma[ch] / count);
    } else {
        dx[i] = g * dy[i];
    }
}

// ---- dropout and optimisers -----------------------------------------------------------------

// Bit-identical to dev.fineturn.spi.DropoutHash: splitmix64 of (seed, i) in 64-bit unsigned
// arithmetic, top 24 bits scaled by 2^-24.
__device__ float dropout_uniform(unsigned long long seed, unsigned long long index) {
    unsigned long long z = seed + (index + 1ULL) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z = z ^ (z >> 31);
    return (float) (z >> 40) * (1.0f / 16777216.0f);
}

// keep = 1 / (1 - p), or 0 when p >= 1, computed on the host as the reference does.
extern "C" __global__ void dropout_mask(long long seed, float p, float keep, float* mask, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    mask[i] = dropout_uniform((unsigned long long) seed, (unsigned long long) i) < p ? 0.0f : keep;
}

// Parameter updates with PyTorch's semantics, in the reference's operation order. The _rn
// intrinsics are never contracted into fused multiply-adds, so results round like the Java
// reference. buf is only touched when momentum != 0.
extern "C" __global__ void sgd_step(float lr, float momentum, float dampening, float weightDecay, int nesterov,
                                    int firstStep, float* param, const float* grad, float* buf, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float g = __fadd_rn(grad[i], __fmul_rn(weightDecay, param[i]));
    if (momentum != 0.0f) {
        float b = firstStep ? g : __fadd_rn(__fmul_rn(momentum, buf[i]), __fmul_rn(__fsub_rn(1.0f, dampening), g));
        buf[i] = b;
        g = nesterov ? __fadd_rn(g, __fmul_rn(momentum, b)) : b;
    }
    param[i] = __fsub_rn(param[i], __fmul_rn(lr, g));
}

// decay = 1 - lr * weightDecay, computed on the host as the reference does.
extern "C" __global__ void adamw_step(float lr, float beta1, float beta2, float eps, float decay,
                                      float biasCorrection1, float biasCorrection2, float* param,
                                      const float* grad, float* m, float* v, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float g = grad[i];
    float p = __fmul_rn(param[i], decay);
    float mi = __fadd_rn(__fmul_rn(beta1, m[i]), __fmul_rn(__fsub_rn(1.0f, beta1), g));
    float vi = __fadd_rn(__fmul_rn(beta2, v[i]), __fmul_rn(__fmul_rn(__fsub_rn(1.0f, beta2), g), g));
    m[i] = mi;
    v[i] = vi;
    float mHat = __fdiv_rn(mi, biasCorrection1);
    float vHat = __fdiv_rn(vi, biasCorrection2);
    param[i] = __fsub_rn(p, __fdiv_rn(__fmul_rn(lr, mHat), __fadd_rn(__fsqrt_rn(vHat), eps)));
}
