// The CUDA backend's implicit-GEMM convolutions on gemm.cu's tiles; included by kernels.cu. The
// direct kernels for depthwise-like groups are shared with OpenCL (kernels/conv_direct.h).

// ---- convolution ----------------------------------------------------------------------------

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
