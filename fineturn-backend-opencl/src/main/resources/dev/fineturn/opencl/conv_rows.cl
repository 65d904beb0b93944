// Depthwise-like convolutions on CPU devices: one work-item per output row (forward), input row
// (data gradient) or weight (weight gradient), walking a row with float8 where the stride is 1.
// Other devices use conv.cl's one-work-item-per-element *_direct kernels.

// The output columns ox whose input column ox * SW - PL + kx * DW lies in [0, W).
#define OX_RANGE(kx) \
    int off = kx * DW - PL; \
    int lo = off >= 0 ? 0 : (-off + SW - 1) / SW; \
    int hi = min(OW, (W - 1 - off) / SW + 1); \
    if (W - 1 - off < 0) hi = 0

__kernel void conv_fwd_rows(Geo geo, __global const float* restrict x, __global const float* restrict w,
                            __global float* restrict y) {
    CONV_GEOMETRY(geo);
    int i = get_global_id(0);
    if (i >= N * OC * OH) return;
    int oy = i % OH;
    int t = i / OH;
    int oc = t % OC;
    int n = t / OC;
    int grp = oc / OCG;
    __global float* yr = y + (long) i * OW;
    for (int ox = 0; ox < OW; ox++) yr[ox] = 0.0f;
    for (int ic = 0; ic < ICG; ic++) {
        for (int ky = 0; ky < KH; ky++) {
            int iy = oy * SH - PT + ky * DH;
            if (iy < 0 || iy >= H) continue;
            __global const float* xr = x + ((long) (n * C + grp * ICG + ic) * H + iy) * W;
            for (int kx = 0; kx < KW; kx++) {
                float wv = w[((oc * ICG + ic) * KH + ky) * KW + kx];
                OX_RANGE(kx);
                int ox = lo;
                if (SW == 1) {
                    float8 w8 = (float8) wv;
                    for (; ox + 8 <= hi; ox += 8) {
                        vstore8(fma(w8, vload8(0, xr + ox + off), vload8(0, yr + ox)), 0, yr + ox);
                    }
                }
                for (; ox < hi; ox++) yr[ox] = fma(wv, xr[ox * SW + off], yr[ox]);
            }
        }
    }
}

__kernel void conv_bwd_data_rows(Geo geo, __global const float* restrict dy, __global const float* restrict w,
                                 __global float* restrict dx) {
    CONV_GEOMETRY(geo);
    int i = get_global_id(0);
    if (i >= N * C * H) return;
    int iy = i % H;
    int t = i / H;
    int c = t % C;
    int n = t / C;
    int grp = c / ICG;
    int ic = c - grp * ICG;
    __global float* dxr = dx + (long) i * W;
    for (int ix = 0; ix < W; ix++) dxr[ix] = 0.0f;
    for (int oc = grp * OCG; oc < (grp + 1) * OCG; oc++) {
        for (int ky = 0; ky < KH; ky++) {
            int ty = iy + PT - ky * DH;
            if (ty < 0 || ty % SH != 0 || ty / SH >= OH) continue;
            __global const float* dyr = dy + ((long) (n * OC + oc) * OH + ty / SH) * OW;
            for (int kx = 0; kx < KW; kx++) {
                float wv = w[((oc * ICG + ic) * KH + ky) * KW + kx];
                OX_RANGE(kx);
                int ox = lo;
                if (SW == 1) {
                    float8 w8 = (float8) wv;
                    for (; ox + 8 <= hi; ox += 8) {
                        vstore8(fma(w8, vload8(0, dyr + ox), vload8(0, dxr + ox + off)), 0, dxr + ox + off);
                    }
                }
                for (; ox < hi; ox++) dxr[ox * SW + off] = fma(wv, dyr[ox], dxr[ox * SW + off]);
            }
        }
    }
}

__kernel void conv_bwd_weights_rows(Geo geo, __global const float* restrict x, __global const float* restrict dy,
                                    __global float* restrict dw) {
    CONV_GEOMETRY(geo);
    int j = get_global_id(0);
    if (j >= OC * ICG * KHW) return;
    int kx = j % KW;
    int t = j / KW;
    int ky = t % KH;
    t /= KH;
    int ic = t % ICG;
    int oc = t / ICG;
    int c = (oc / OCG) * ICG + ic;
    OX_RANGE(kx);
    float8 acc8 = 0.0f;
    float acc = 0.0f;
    for (int n = 0; n < N; n++) {
        for (int oy = 0; oy < OH; oy++) {
            int iy = oy * SH - PT + ky * DH;
            if (iy < 0 || iy >= H) continue;
            __global const float* xr = x + ((long) (n * C + c) * H + iy) * W;
            __global const float* dyr = dy + ((long) (n * OC + oc) * OH + oy) * OW;
            int ox = lo;
            if (SW == 1) {
                for (; ox + 8 <= hi; ox += 8) acc8 = fma(vload8(0, dyr + ox), vload8(0, xr + ox + off), acc8);
            }
            for (; ox < hi; ox++) acc = fma(dyr[ox], xr[ox * SW + off], acc);
        }
    }
    dw[j] = acc + (acc8.s0 + acc8.s1) + (acc8.s2 + acc8.s3) + (acc8.s4 + acc8.s5) + (acc8.s6 + acc8.s7);
}
