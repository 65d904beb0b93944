// Register-blocked GEMM for CPU devices (PoCL), where gemm.cl's local-memory tiles are slow: the
// operands are first packed into panels (A: MR rows interleaved per k, B: NR columns per k), then
// one work-item computes an MR x NR block with float8 accumulators, with no local memory and no
// barriers, as a CPU micro-kernel would. The host splits k into chunks of at most KC and columns
// into chunks, so panels stay small; later k chunks accumulate with beta = 1.
//
// The packing kernels gather from plain matrices (mode 0) or straight from convolution tensors, so
// convolutions need no im2col buffer beyond one panel chunk. Geometry as in conv.cl.
#define PMR 6
#define PNR 16
#define KCH 16

#define MODE_MATRIX 0
#define MODE_IM2COL 1       // B of the forward convolution: k = (ic, ky, kx), columns = (n, oy, ox)
#define MODE_DY_GATHER 2    // B of the data gradient:       k = (oc, ky, kx), columns = (n, iy, ix)
#define MODE_WEIGHTS_T 2    // A of the data gradient:       rows = ic, k = (oc, ky, kx)
#define MODE_IM2COL_ROWS 3  // A of the weight gradient, transposed: rows = (ic, ky, kx), k = (n, oy, ox)
#define MODE_DY_T 3         // B of the weight gradient, transposed: k = (n, oy, ox), columns = oc

// Ap[batch][ib][kc][PMR]; this work-item packs KCH consecutive k of one row block.
// Batch (or group) b0 + z of the operands lands in panel slot z.
__kernel void pack_a(int mode, Geo geo, int m, int k, int k0, int kc, int transA, int b0,
                     __global const float* A, int aOff, int strideA, __global float* Ap, int apOff) {
    CONV_GEOMETRY(geo);
    int t0 = get_global_id(0) * KCH;
    int ib = get_global_id(1);
    int b = b0 + get_global_id(2);
    int mb = (m + PMR - 1) / PMR;
    int tEnd = min(t0 + KCH, kc);
    __global float* dst = Ap + apOff + ((long) get_global_id(2) * mb + ib) * kc * PMR;
    for (int r = 0; r < PMR; r++) {
        int row = ib * PMR + r;
        if (row >= m) {
            for (int t = t0; t < tEnd; t++) dst[t * PMR + r] = 0.0f;
        } else if (mode == MODE_MATRIX) {
            __global const float* a = A + aOff + (long) b * strideA;
            if (transA) {
                for (int t = t0; t < tEnd; t++) dst[t * PMR + r] = a[(long) (k0 + t) * m + row];
            } else {
                for (int t = t0; t < tEnd; t++) dst[t * PMR + r] = a[(long) row * k + k0 + t];
            }
        } else if (mode == MODE_IM2COL_ROWS) {
            int ic = row / KHW;
            int rr = row - ic * KHW;
            int ky = rr / KW;
            int kx = rr - ky * KW;
            int q = k0 + t0;
            int img = q / (OH * OW);
            int s = q - img * OH * OW;
            int oy = s / OW;
            int ox = s - oy * OW;
            for (int t = t0; t < tEnd; t++) {
                int iy = oy * SH - PT + ky * DH;
                int ix = ox * SW - PL + kx * DW;
                dst[t * PMR + r] = iy >= 0 && iy < H && ix >= 0 && ix < W
                        ? A[((img * C + b * ICG + ic) * H + iy) * W + ix] : 0.0f;
                if (++ox == OW) {
                    ox = 0;
                    if (++oy == OH) {
                        oy = 0;
                        img++;
                    }
                }
            }
        } else {
            // MODE_WEIGHTS_T: k = (oc, ky * KW + kx).
            int q = (k0 + t0) / KHW;
            int rem = (k0 + t0) - q * KHW;
            for (int t = t0; t < tEnd; t++) {
                dst[t * PMR + r] = A[((b * OCG + q) * ICG + row) * KHW + rem];
                if (++rem == KHW) {
                    rem = 0;
                    q++;
                }
            }
        }
    }
}

// Bp[batch][jb][kc][PNR] for columns nOff + jb * PNR + c; this work-item packs KCH consecutive k.
__kernel void pack_b(int mode, Geo geo, int k, int n, int k0, int kc, int nOff, int nc, int transB, int b0,
                     __global const float* B, int bOff, int strideB, __global float* Bp, int bpOff) {
    CONV_GEOMETRY(geo);
    int t0 = get_global_id(0) * KCH;
    int jb = get_global_id(1);
    int b = b0 + get_global_id(2);
    int nb = (nc + PNR - 1) / PNR;
    int tEnd = min(t0 + KCH, kc);
    int col0 = nOff + jb * PNR;
    __global float* dst = Bp + bpOff + ((long) get_global_id(2) * nb + jb) * kc * PNR;
    if (mode == MODE_MATRIX) {
        __global const float* src = B + bOff + (long) b * strideB;
        if (!transB && col0 + PNR <= n) {
            for (int t = t0; t < tEnd; t++) {
                __global const float* row = src + (long) (k0 + t) * n + col0;
                vstore8(vload8(0, row), 0, dst + t * PNR);
                vstore8(vload8(1, row), 0, dst + t * PNR + 8);
            }
        } else {
            for (int t = t0; t < tEnd; t++) {
                for (int c = 0; c < PNR; c++) {
                    int col = col0 + c;
                    dst[t * PNR + c] = col >= n ? 0.0f
                            : transB ? src[(long) col * k + k0 + t] : src[(long) (k0 + t) * n + col];
                }
            }
        }
        return;
    }
    int xGroup = b * ICG;
    if (mode == MODE_DY_T) {
        int q = k0 + t0;
        int img = q / (OH * OW);
        int p = q - img * OH * OW;
        for (int t = t0; t < tEnd; t++) {
            __global const float* src = B + (img * OC + b * OCG) * OH * OW + p;
            for (int c = 0; c < PNR; c++) {
                dst[t * PNR + c] = col0 + c < n ? src[(col0 + c) * OH * OW] : 0.0f;
            }
            if (++p == OH * OW) {
                p = 0;
                img++;
            }
        }
        return;
    }
    for (int t = t0; t < tEnd; t++) {
        int kk = k0 + t;
        if (mode == MODE_IM2COL) {
            int ic = kk / KHW;
            int r = kk - ic * KHW;
            int ky = r / KW;
            int kx = r - ky * KW;
            int img = col0 / (OH * OW);
            int s = col0 - img * OH * OW;
            int oy = s / OW;
            int ox = s - oy * OW;
            // Stride 1: walk the PNR columns as runs along output rows; each run reads one input row.
            if (SW == 1) {
                if (ox + PNR <= OW && col0 + PNR <= n) {
                    int iy = oy * SH - PT + ky * DH;
                    int ix = ox - PL + kx * DW;
                    if (iy >= 0 && iy < H && ix >= 0 && ix + PNR <= W) {
                        __global const float* src = B + ((img * C + xGroup + ic) * H + iy) * W + ix;
                        vstore8(vload8(0, src), 0, dst + t * PNR);
                        vstore8(vload8(1, src), 1, dst + t * PNR);
                        continue;
                    }
                }
                int c = 0;
                while (c < PNR) {
                    int run = min(PNR - c, OW - ox);
                    int iy = oy * SH - PT + ky * DH;
                    int ix = ox - PL + kx * DW;
                    bool rowIn = iy >= 0 && iy < H && img < N;
                    __global const float* src = B + ((img * C + xGroup + ic) * H + iy) * W;
                    for (int e = 0; e < run; e++) {
                        int xi = ix + e;
                        dst[t * PNR + c + e] = rowIn && xi >= 0 && xi < W && col0 + c + e < n ? src[xi] : 0.0f;
                    }
                    c += run;
                    ox += run;
                    if (ox == OW) {
                        ox = 0;
                        if (++oy == OH) {
                            oy = 0;
                            img++;
                        }
                    }
                }
                continue;
            }
            for (int c = 0; c < PNR; c++) {
                float v = 0.0f;
                if (col0 + c < n) {
                    int iy = oy * SH - PT + ky * DH;
                    int ix = ox * SW - PL + kx * DW;
                    if (iy >= 0 && iy < H && ix >= 0 && ix < W) v = B[((img * C + xGroup + ic) * H + iy) * W + ix];
                }
                dst[t * PNR + c] = v;
                if (++ox == OW) {
                    ox = 0;
                    if (++oy == OH) {
                        oy = 0;
                        img++;
                    }
                }
            }
        } else if (mode == MODE_DY_GATHER) {
            int oc = kk / KHW;
            int r = kk - oc * KHW;
            int ky = r / KW;
            int kx = r - ky * KW;
            int img = col0 / (H * W);
            int s = col0 - img * H * W;
            int iy = s / W;
            int ix = s - iy * W;
            // Fast path at stride 1: the PNR columns of one input row read one row of dy inside it.
            if (SH == 1 && SW == 1 && ix + PNR <= W && col0 + PNR <= n) {
                int oy = iy + PT - ky * DH;
                int ox = ix + PL - kx * DW;
                if (oy < 0 || oy >= OH) {
                    vstore8((float8) 0.0f, 0, dst + t * PNR);
                    vstore8((float8) 0.0f, 1, dst + t * PNR);
                    continue;
                }
                __global const float* src = B + ((img * OC + b * OCG + oc) * OH + oy) * OW;
                if (ox >= 0 && ox + PNR <= OW) {
                    vstore8(vload8(0, src + ox), 0, dst + t * PNR);
                    vstore8(vload8(1, src + ox), 1, dst + t * PNR);
                } else {
                    for (int c = 0; c < PNR; c++) {
                        int xo = ox + c;
                        dst[t * PNR + c] = xo >= 0 && xo < OW ? src[xo] : 0.0f;
                    }
                }
                continue;
            }
            for (int c = 0; c < PNR; c++) {
                float v = 0.0f;
                if (col0 + c < n) {
                    int ty = iy + PT - ky * DH;
                    int tx = ix + PL - kx * DW;
                    if (ty >= 0 && tx >= 0 && ty % SH == 0 && tx % SW == 0) {
                        int oy = ty / SH;
                        int ox = tx / SW;
                        if (oy < OH && ox < OW) v = B[((img * OC + b * OCG + oc) * OH + oy) * OW + ox];
                    }
                }
                dst[t * PNR + c] = v;
                if (++ix == W) {
                    ix = 0;
                    if (++iy == H) {
                        iy = 0;
                        img++;
                    }
                }
            }
        }
    }
}

// C[row, col] at cOff + batch * strideC + (col / cp) * cis + row * rs + col % cp, so the same kernel
// writes row-major matrices (cp = n, rs = n) and NCHW convolution outputs (cp = pixels per image).
// C = alpha * Ap Bp + beta * C; beta == 0 never reads C.
__kernel void gemm_packed(int m, int n, int kc, int nOff, int nc, float alpha, float beta, int b0,
                          __global const float* Ap, int apOff, __global const float* Bp, int bpOff,
                          __global float* C, int cOff, int strideC, int cp, int cis, int rs) {
    int jb = get_global_id(0);
    int ib = get_global_id(1);
    int z = get_global_id(2);
    int b = b0 + z;
    int mb = (m + PMR - 1) / PMR;
    int nb = (nc + PNR - 1) / PNR;
    if (jb >= nb || ib >= mb) return;
    __global const float* a = Ap + apOff + ((long) z * mb + ib) * kc * PMR;
    __global const float* bp = Bp + bpOff + ((long) z * nb + jb) * kc * PNR;
    float8 c00 = 0.0f, c01 = 0.0f, c10 = 0.0f, c11 = 0.0f, c20 = 0.0f, c21 = 0.0f;
    float8 c30 = 0.0f, c31 = 0.0f, c40 = 0.0f, c41 = 0.0f, c50 = 0.0f, c51 = 0.0f;
    for (int t = 0; t < kc; t++) {
        float8 b0 = vload8(0, bp + t * PNR);
        float8 b1 = vload8(1, bp + t * PNR);
        __global const float* at = a + t * PMR;
        float8 av = (float8) at[0];
        c00 = fma(av, b0, c00);
        c01 = fma(av, b1, c01);
        av = (float8) at[1];
        c10 = fma(av, b0, c10);
        c11 = fma(av, b1, c11);
        av = (float8) at[2];
        c20 = fma(av, b0, c20);
        c21 = fma(av, b1, c21);
        av = (float8) at[3];
        c30 = fma(av, b0, c30);
        c31 = fma(av, b1, c31);
        av = (float8) at[4];
        c40 = fma(av, b0, c40);
        c41 = fma(av, b1, c41);
        av = (float8) at[5];
        c50 = fma(av, b0, c50);
        c51 = fma(av, b1, c51);
    }
    float acc[PMR][PNR];
    vstore8(c00, 0, acc[0]);
    vstore8(c01, 1, acc[0]);
    vstore8(c10, 0, acc[1]);
    vstore8(c11, 1, acc[1]);
    vstore8(c20, 0, acc[2]);
    vstore8(c21, 1, acc[2]);
    vstore8(c30, 0, acc[3]);
    vstore8(c31, 1, acc[3]);
    vstore8(c40, 0, acc[4]);
    vstore8(c41, 1, acc[4]);
    vstore8(c50, 0, acc[5]);
    vstore8(c51, 1, acc[5]);
    __global float* out = C + cOff + (long) b * strideC;
    for (int c = 0; c < PNR; c++) {
        int col = nOff + jb * PNR + c;
        if (col >= n) break;
        long colAt = (long) (col / cp) * cis + col % cp;
        for (int r = 0; r < PMR; r++) {
            int row = ib * PMR + r;
            if (row >= m) break;
            long ci = colAt + (long) row * rs;
            out[ci] = beta == 0.0f ? alpha * acc[r][c] : alpha * acc[r][c] + beta * out[ci];
        }
    }
}

