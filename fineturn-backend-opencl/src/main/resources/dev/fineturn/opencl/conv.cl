// 2-D convolution, NCHW input, OIHW weights. The geometry travels as one int16:
// {batch, inC, inH, inW, outC, kh, kw, strideH, strideW, padTop, padLeft, dilationH, dilationW, groups, outH, outW}.
// The *_gemm kernels are implicit GEMMs in 16x16 local-memory tiles (no im2col buffer); the
// *_direct kernels serve depthwise-like shapes where a GEMM tile would be mostly empty.
#define CONV_GEOMETRY(g) \
    const int N = g.s0, C = g.s1, H = g.s2, W = g.s3, OC = g.s4, KH = g.s5, KW = g.s6; \
    const int SH = g.s7, SW = g.s8, PT = g.s9, PL = g.sa, DH = g.sb, DW = g.sc, G = g.sd; \
    const int OH = g.se, OW = g.sf, ICG = C / G, OCG = OC / G, KHW = KH * KW

#define CT 16

// y[n, grp*OCG + m, p] = sum_k w[grp*OCG + m, k] * im2col(x)[k, (n, p)], k = (ic, ky, kx).
__kernel void conv_fwd_gemm(int16 geo, __global const float* x, __global const float* w, __global float* y) {
    CONV_GEOMETRY(geo);
    __local float As[CT][CT];
    __local float Bs[CT][CT + 1];
    int col = get_global_id(0);
    int row = get_global_id(1);
    int grp = get_global_id(2);
    int lc = get_local_id(0);
    int lr = get_local_id(1);
    int P = N * OH * OW;
    int K = ICG * KHW;
    int n = col / (OH * OW);
    int s = col - n * OH * OW;
    int oy = s / OW;
    int ox = s - oy * OW;
    int iy0 = oy * SH - PT;
    int ix0 = ox * SW - PL;
    int xBase = (n * C + grp * ICG) * H * W;
    int wBase = (grp * OCG + row) * K;
    float acc = 0.0f;
    for (int t = 0; t < K; t += CT) {
        int ak = t + lc;
        As[lr][lc] = (row < OCG && ak < K) ? w[wBase + ak] : 0.0f;
        int bk = t + lr;
        float v = 0.0f;
        if (col < P && bk < K) {
            int ic = bk / KHW;
            int r = bk - ic * KHW;
            int ky = r / KW;
            int iy = iy0 + ky * DH;
            int ix = ix0 + (r - ky * KW) * DW;
            if (iy >= 0 && iy < H && ix >= 0 && ix < W) v = x[xBase + (ic * H + iy) * W + ix];
        }
        Bs[lr][lc] = v;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int p = 0; p < CT; p++) acc += As[lr][p] * Bs[p][lc];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (row < OCG && col < P) y[((n * OC + grp * OCG + row) * OH + oy) * OW + ox] = acc;
}

// dx[n, grp*ICG + m, p] = sum_k w^T[m, k] * dy-gathered[k, (n, p)], k = (oc, ky, kx): a transposed
// convolution that gathers, so no atomics are needed.
__kernel void conv_bwd_data_gemm(int16 geo, __global const float* dy, __global const float* w,
                                 __global float* dx) {
    CONV_GEOMETRY(geo);
    __local float As[CT][CT];
    __local float Bs[CT][CT + 1];
    int col = get_global_id(0);
    int row = get_global_id(1);
    int grp = get_global_id(2);
    int lc = get_local_id(0);
    int lr = get_local_id(1);
    int P = N * H * W;
    int K = OCG * KHW;
    int n = col / (H * W);
    int s = col - n * H * W;
    int iy = s / W;
    int ix = s - iy * W;
    int dyBase = (n * OC + grp * OCG) * OH * OW;
    float acc = 0.0f;
    for (int t = 0; t < K; t += CT) {
        int ak = t + lc;
        float a = 0.0f;
        if (row < ICG && ak < K) {
            int oc = ak / KHW;
            a = w[((grp * OCG + oc) * ICG + row) * KHW + ak - oc * KHW];
        }
        As[lr][lc] = a;
        int bk = t + lr;
        float v = 0.0f;
        if (col < P && bk < K) {
            int oc = bk / KHW;
            int r = bk - oc * KHW;
            int ky = r / KW;
            int ty = iy + PT - ky * DH;
            int tx = ix + PL - (r - ky * KW) * DW;
            if (ty >= 0 && tx >= 0 && ty % SH == 0 && tx % SW == 0) {
                int oy = ty / SH;
                int ox = tx / SW;
                if (oy < OH && ox < OW) v = dy[dyBase + (oc * OH + oy) * OW + ox];
            }
        }
        Bs[lr][lc] = v;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int p = 0; p < CT; p++) acc += As[lr][p] * Bs[p][lc];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (row < ICG && col < P) dx[((n * C + grp * ICG + row) * H + iy) * W + ix] = acc;
}

// dw[grp*OCG + m, j] = sum_q dy[(n, grp*OCG + m), q] * im2col(x)[j, q], j = (ic, ky, kx), q = (n, oy, ox).
// The reduction over q is split into `splits` chunks (dimension 2 is grp * splits + split); each
// writes its own [OC, ICG*KHW] slice of out, which sum_partials adds in a fixed order.
__kernel void conv_bwd_weights_gemm(int16 geo, __global const float* x, __global const float* dy,
                                    __global float* out, int splits, int chunk) {
    CONV_GEOMETRY(geo);
    __local float As[CT][CT];
    __local float Bs[CT][CT + 1];
    int col = get_global_id(0);
    int row = get_global_id(1);
    int grp = get_global_id(2) / splits;
    int split = get_global_id(2) - grp * splits;
    int lc = get_local_id(0);
    int lr = get_local_id(1);
    int J = ICG * KHW;
    int OHW = OH * OW;
    int kBegin = split * chunk;
    int kEnd = min(N * OHW, kBegin + chunk);
    int ic = col / KHW;
    int r = col - ic * KHW;
    int ky = r / KW;
    int kx = r - ky * KW;
    int c = grp * ICG + ic;
    int oc = grp * OCG + row;
    float acc = 0.0f;
    for (int t = kBegin; t < kEnd; t += CT) {
        int aq = t + lc;
        float a = 0.0f;
        if (row < OCG && aq < kEnd) {
            int n = aq / OHW;
            a = dy[(n * OC + oc) * OHW + aq - n * OHW];
        }
        As[lr][lc] = a;
        int bq = t + lr;
        float v = 0.0f;
        if (col < J && bq < kEnd) {
            int n = bq / OHW;
            int s = bq - n * OHW;
            int oy = s / OW;
            int iy = oy * SH - PT + ky * DH;
            int ix = (s - oy * OW) * SW - PL + kx * DW;
            if (iy >= 0 && iy < H && ix >= 0 && ix < W) v = x[((n * C + c) * H + iy) * W + ix];
        }
        Bs[lr][lc] = v;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int p = 0; p < CT; p++) acc += As[lr][p] * Bs[p][lc];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (row < OCG && col < J) out[split * OC * J + oc * J + col] = acc;
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

// One work-group of WG per weight element, reducing over (n, oy, ox).
__kernel void conv_bwd_weights_direct(int16 geo, __global const float* x, __global const float* dy,
                                      __global float* dw) {
    CONV_GEOMETRY(geo);
    __local float s[WG];
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
    for (int q = get_local_id(0); q < N * OHW; q += WG) {
        int n = q / OHW;
        int p = q - n * OHW;
        int oy = p / OW;
        int iy = oy * SH - PT + ky * DH;
        int ix = (p - oy * OW) * SW - PL + kx * DW;
        if (iy >= 0 && iy < H && ix >= 0 && ix < W) {
            acc += dy[(n * OC + oc) * OHW + p] * x[((n * C + c) * H + iy) * W + ix];
        }
    }
    float total = wg_sum(s, acc);
    if (get_local_id(0) == 0) dw[j] = total;
}
