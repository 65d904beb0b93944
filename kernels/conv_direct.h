// Direct convolutions for depthwise-like groups, where a GEMM tile would be mostly padding.
// Shared by the CUDA and OpenCL backends; written against dialect.h (see README.md). The implicit-GEMM
// convolutions are each backend's own; OpenCL's read the geometry with CONV_GEOMETRY too.

// 2-D convolution, NCHW input, OIHW weights; geometry as Geo in dialect.h.
#define CONV_GEOMETRY(g) \
    const int N = g.v[0], C = g.v[1], H = g.v[2], W = g.v[3], OC = g.v[4], KH = g.v[5], KW = g.v[6]; \
    const int SH = g.v[7], SW = g.v[8], PT = g.v[9], PL = g.v[10], DH = g.v[11], DW = g.v[12]; \
    const int G = g.v[13], OH = g.v[14], OW = g.v[15]; \
    const int ICG = C / G, OCG = OC / G, KHW = KH * KW; \
    (void) N; (void) KH; (void) G; (void) OH; (void) OW; (void) ICG; (void) OCG; (void) KHW

// Depthwise-like groups (one input or one output channel per group), where a GEMM tile would be
// mostly padding: one thread per output element.
KERNEL void conv_fwd_direct(Geo geo, GLOBAL const float* x, GLOBAL const float* w, GLOBAL float* y) {
    CONV_GEOMETRY(geo);
    int i = GID;
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
KERNEL void conv_bwd_data_direct(Geo geo, GLOBAL const float* dy, GLOBAL const float* w, GLOBAL float* dx) {
    CONV_GEOMETRY(geo);
    int i = GID;
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
KERNEL void conv_bwd_weights_direct(Geo geo, GLOBAL const float* x, GLOBAL const float* dy, GLOBAL float* dw) {
    CONV_GEOMETRY(geo);
    LOCAL float s[RB];
    int j = GROUP_ID;
    int kx = j % KW;
    int t = j / KW;
    int ky = t % KH;
    t /= KH;
    int ic = t % ICG;
    int oc = t / ICG;
    int c = (oc / OCG) * ICG + ic;
    int OHW = OH * OW;
    float acc = 0.0f;
    for (int q = LID; q < N * OHW; q += RB) {
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
    if (LID == 0) dw[j] = total;
}
