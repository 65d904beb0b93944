// 2-D convolution, NCHW input, OIHW weights. The geometry travels as one int16:
// {batch, inC, inH, inW, outC, kh, kw, strideH, strideW, padTop, padLeft, dilationH, dilationW, groups, outH, outW}.
// The *_gemm kernels are implicit GEMMs on gemm.cl's tiles (no im2col buffer); the *_direct
// kernels serve depthwise-like shapes where a GEMM tile would be mostly empty.
#define CONV_GEOMETRY(g) \
    const int N = g.s0, C = g.s1, H = g.s2, W = g.s3, OC = g.s4, KH = g.s5, KW = g.s6; \
    const int SH = g.s7, SW = g.s8, PT = g.s9, PL = g.sa, DH = g.sb, DW = g.sc, G = g.sd; \
    const int OH = g.se, OW = g.sf, ICG = C / G, OCG = OC / G, KHW = KH * KW

#define ZERO_ACC(acc) for (int i = 0; i < RT; i++) for (int j = 0; j < RT; j++) acc[i][j] = 0.0f

// y[n, grp*OCG + m, p] = sum_k w[grp*OCG + m, k] * im2col(x)[k, (n, p)], k = (ic, ky, kx).
// Rows are output channels of the group, columns the output pixels of the whole batch.
__kernel void conv_fwd_gemm(int16 geo, __global const float* x, __global const float* w, __global float* y) {
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
__kernel void conv_bwd_data_gemm(int16 geo, __global const float* dy, __global const float* w,
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
__kernel void conv_bwd_weights_gemm(int16 geo, __global const float* x, __global const float* dy,
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

// One work-item per output element.
__kernel void conv_fwd_direct(int16 geo, __global const float* x, __global const float* w, __global float* y) {
    CONV_GEOMETRY(geo);
    int i = get_global_id(0);
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

// One work-item per input element, gathering from the outputs its taps reach.
__kernel void conv_bwd_data_direct(int16 geo, __global const float* dy, __global const float* w,
                                   __global float* dx) {
    CONV_GEOMETRY(geo);
    int i = get_global_id(0);
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

// One work-group of RB per weight element, reducing over (n, oy, ox).
__kernel void conv_bwd_weights_direct(int16 geo, __global const float* x, __global const float* dy,
                                      __global float* dw) {
    CONV_GEOMETRY(geo);
    __local float s[RB];
    int j = get_group_id(0);
    int kx = j % KW;
    int t = j / KW;
    int ky = t % KH;
    t /= KH;
    int ic = t % ICG;
    int oc = t / ICG;
    int c = (oc / OCG) * ICG + ic;
    int OHW = OH * OW;
    float acc = 0.0f;
    for (int q = get_local_id(0); q < N * OHW; q += RB) {
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
    if (get_local_id(0) == 0) dw[j] = total;
}
