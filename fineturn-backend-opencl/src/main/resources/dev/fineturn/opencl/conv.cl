// 2-D convolution, NCHW input, OIHW weights, geometry as Geo (kernels/dialect.h), read with
// CONV_GEOMETRY (kernels/conv_direct.h). The *_gemm kernels are implicit GEMMs on gemm.cl's tiles
// (no im2col buffer); depthwise-like shapes take the shared *_direct kernels.

#define ZERO_ACC(acc) for (int i = 0; i < RT; i++) for (int j = 0; j < RT; j++) acc[i][j] = 0.0f

// y[n, grp*OCG + m, p] = sum_k w[grp*OCG + m, k] * im2col(x)[k, (n, p)], k = (ic, ky, kx).
// Rows are output channels of the group, columns the output pixels of the whole batch.
__kernel void conv_fwd_gemm(Geo geo, __global const float* x, __global const float* w, __global float* y) {
    CONV_GEOMETRY(geo);
    __local float As[BK][TS + 1];
    __local float Bs[BK][TS + 1];
    int lc = get_local_id(0);
    int lr = get_local_id(1);
    int row0 = get_group_id(1) * TS;
    int col0 = get_group_id(0) * TS;
    int grp = get_group_id(2);
    int P = N * OH * OW;
    int K = ICG * KHW;
    // This work-item's column of every B slice.
    int bcol = col0 + WFAST_W(0);
    int bn = bcol / (OH * OW);
    int bs = bcol - bn * OH * OW;
    int boy = bs / OW;
    int iy0 = boy * SH - PT;
    int ix0 = (bs - boy * OW) * SW - PL;
    int xBase = (bn * C + grp * ICG) * H * W;
    float acc[RT][RT];
    ZERO_ACC(acc);
    for (int t = 0; t < K; t += BK) {
        for (int e = 0; e < RT; e++) {
            int am = row0 + KFAST_W(e);
            int ak = t + KFAST_K(e);
            As[KFAST_K(e)][KFAST_W(e)] = (am < OCG && ak < K) ? w[(grp * OCG + am) * K + ak] : 0.0f;
            int bk = t + WFAST_K(e);
            float v = 0.0f;
            if (bcol < P && bk < K) {
                int ic = bk / KHW;
                int r = bk - ic * KHW;
                int ky = r / KW;
                int iy = iy0 + ky * DH;
                int ix = ix0 + (r - ky * KW) * DW;
                if (iy >= 0 && iy < H && ix >= 0 && ix < W) v = x[xBase + (ic * H + iy) * W + ix];
            }
            Bs[WFAST_K(e)][WFAST_W(e)] = v;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        tile_fma(As, Bs, acc, lr, lc);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int j = 0; j < RT; j++) {
        int col = col0 + lc + 16 * j;
        if (col >= P) continue;
        int n = col / (OH * OW);
        int s = col - n * OH * OW;
        for (int i = 0; i < RT; i++) {
            int row = row0 + lr + 16 * i;
            if (row < OCG) y[(n * OC + grp * OCG + row) * OH * OW + s] = acc[i][j];
        }
    }
}

// dx[n, grp*ICG + m, p] = sum_k w^T[m, k] * dy-gathered[k, (n, p)], k = (oc, ky, kx): a transposed
// convolution that gathers, so no atomics are needed. Columns are the input pixels of the batch.
__kernel void conv_bwd_data_gemm(Geo geo, __global const float* dy, __global const float* w,
                                 __global float* dx) {
    CONV_GEOMETRY(geo);
    __local float As[BK][TS + 1];
    __local float Bs[BK][TS + 1];
    int lc = get_local_id(0);
    int lr = get_local_id(1);
    int row0 = get_group_id(1) * TS;
    int col0 = get_group_id(0) * TS;
    int grp = get_group_id(2);
    int P = N * H * W;
    int K = OCG * KHW;
    int bcol = col0 + WFAST_W(0);
    int bn = bcol / (H * W);
    int bs = bcol - bn * H * W;
    int biy = bs / W;
    int bix = bs - biy * W;
    int dyBase = (bn * OC + grp * OCG) * OH * OW;
    float acc[RT][RT];
    ZERO_ACC(acc);
    for (int t = 0; t < K; t += BK) {
        for (int e = 0; e < RT; e++) {
            int am = row0 + KFAST_W(e);
            int ak = t + KFAST_K(e);
            float a = 0.0f;
            if (am < ICG && ak < K) {
                int oc = ak / KHW;
                a = w[((grp * OCG + oc) * ICG + am) * KHW + ak - oc * KHW];
            }
            As[KFAST_K(e)][KFAST_W(e)] = a;
            int bk = t + WFAST_K(e);
            float v = 0.0f;
            if (bcol < P && bk < K) {
                int oc = bk / KHW;
                int r = bk - oc * KHW;
                int ky = r / KW;
                int ty = biy + PT - ky * DH;
                int tx = bix + PL - (r - ky * KW) * DW;
                if (ty >= 0 && tx >= 0 && ty % SH == 0 && tx % SW == 0) {
                    int oy = ty / SH;
                    int ox = tx / SW;
                    if (oy < OH && ox < OW) v = dy[dyBase + (oc * OH + oy) * OW + ox];
                }
            }
            Bs[WFAST_K(e)][WFAST_W(e)] = v;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        tile_fma(As, Bs, acc, lr, lc);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int j = 0; j < RT; j++) {
        int col = col0 + lc + 16 * j;
        if (col >= P) continue;
        int n = col / (H * W);
        int s = col - n * H * W;
        for (int i = 0; i < RT; i++) {
            int row = row0 + lr + 16 * i;
            if (row < ICG) dx[(n * C + grp * ICG + row) * H * W + s] = acc[i][j];
        }
    }
}

// dw[grp*OCG + m, j] = sum_q dy[(n, grp*OCG + m), q] * im2col(x)[j, q], j = (ic, ky, kx), q = (n, oy, ox).
// The reduction over q is split into `splits` chunks (dimension 2 is grp * splits + split); each
// writes its own [OC, ICG*KHW] slice of out, which sum_partials adds in a fixed order.
__kernel void conv_bwd_weights_gemm(Geo geo, __global const float* x, __global const float* dy,
                                    __global float* out, int splits, int chunk) {
    CONV_GEOMETRY(geo);
    __local float As[BK][TS + 1];
    __local float Bs[BK][TS + 1];
    int lc = get_local_id(0);
    int lr = get_local_id(1);
    int row0 = get_group_id(1) * TS;
    int col0 = get_group_id(0) * TS;
    int grp = get_group_id(2) / splits;
    int split = get_group_id(2) - grp * splits;
    int J = ICG * KHW;
    int OHW = OH * OW;
    int kBegin = split * chunk;
    int kEnd = min(N * OHW, kBegin + chunk);
    int bcol = col0 + WFAST_W(0);
    int bic = bcol / KHW;
    int br = bcol - bic * KHW;
    int bky = br / KW;
    int bkx = br - bky * KW;
    int xBase = (grp * ICG + bic) * H * W;
    float acc[RT][RT];
    ZERO_ACC(acc);
    for (int t = kBegin; t < kEnd; t += BK) {
        for (int e = 0; e < RT; e++) {
            int am = row0 + KFAST_W(e);
            int aq = t + KFAST_K(e);
            float a = 0.0f;
            if (am < OCG && aq < kEnd) {
                int n = aq / OHW;
                a = dy[(n * OC + grp * OCG + am) * OHW + aq - n * OHW];
            }
            As[KFAST_K(e)][KFAST_W(e)] = a;
            int bq = t + WFAST_K(e);
            float v = 0.0f;
            if (bcol < J && bq < kEnd) {
                int n = bq / OHW;
                int s = bq - n * OHW;
                int oy = s / OW;
                int iy = oy * SH - PT + bky * DH;
                int ix = (s - oy * OW) * SW - PL + bkx * DW;
                if (iy >= 0 && iy < H && ix >= 0 && ix < W) v = x[n * C * H * W + xBase + iy * W + ix];
            }
            Bs[WFAST_K(e)][WFAST_W(e)] = v;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        tile_fma(As, Bs, acc, lr, lc);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int i = 0; i < RT; i++) {
        int row = row0 + lr + 16 * i;
        for (int j = 0; j < RT; j++) {
            int col = col0 + lc + 16 * j;
            if (row < OCG && col < J) out[split * OC * J + (grp * OCG + row) * J + col] = acc[i][j];
        }
    }
}
