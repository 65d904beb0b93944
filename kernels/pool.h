// Max and average pooling over NCHW planes with PyTorch's rules; geometry as Geo in dialect.h.
// Shared by the CUDA and OpenCL backends; written against dialect.h (see README.md).

// Backward kernels gather per input element, visiting the windows in the same (oy, ox) order as
// the reference, so no atomics are needed.

#define POOL_GEOMETRY(g) \
    const int PLANES = g.v[0], H = g.v[1], W = g.v[2], KH = g.v[3], KW = g.v[4], SH = g.v[5], SW = g.v[6]; \
    const int PT = g.v[7], PL = g.v[8], PB = g.v[9], PR = g.v[10], INCLUDE_PAD = g.v[11]; \
    const int OH = g.v[12], OW = g.v[13]; \
    (void) PB; (void) PR; (void) INCLUDE_PAD

// Offset within the plane of the first maximum of window (oy, ox), scanning row-major; NaN wins.
// -1 for a window that lies entirely in the padding.
DEVICE int pool_argmax(GLOBAL const float* plane, int H, int W, int KH, int KW, int SH, int SW, int PT, int PL,
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
DEVICE int pool_divisor(int H, int W, int KH, int KW, int PB, int PR, int includePad, int y0, int x0) {
    if (includePad) {
        return (min(y0 + KH, H + PB) - y0) * (min(x0 + KW, W + PR) - x0);
    }
    return max(1, (min(y0 + KH, H) - max(y0, 0)) * (min(x0 + KW, W) - max(x0, 0)));
}

// First output index whose window covers input index `at`.
DEVICE int pool_first(int at, int pad, int k, int s) {
    int num = at + pad - k;
    return num < 0 ? 0 : num / s + 1;
}

// Last output index whose window covers input index `at` (below pool_first when none).
DEVICE int pool_last(int at, int pad, int s, int outSize) {
    return min((at + pad) / s, outSize - 1);
}

KERNEL void max_pool_fwd(Geo geo, GLOBAL const float* x, GLOBAL float* y) {
    POOL_GEOMETRY(geo);
    int i = GID;
    if (i >= PLANES * OH * OW) return;
    int ox = i % OW;
    int oy = (i / OW) % OH;
    GLOBAL const float* plane = x + (i / (OH * OW)) * H * W;
    int best = pool_argmax(plane, H, W, KH, KW, SH, SW, PT, PL, oy, ox);
    y[i] = best < 0 ? NEG_INF_F : plane[best];
}

KERNEL void max_pool_bwd(Geo geo, GLOBAL const float* x, GLOBAL const float* dy, GLOBAL float* dx) {
    POOL_GEOMETRY(geo);
    int i = GID;
    if (i >= PLANES * H * W) return;
    int ix = i % W;
    int iy = (i / W) % H;
    int p = i / (H * W);
    GLOBAL const float* plane = x + p * H * W;
    GLOBAL const float* dyp = dy + p * OH * OW;
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

KERNEL void avg_pool_fwd(Geo geo, GLOBAL const float* x, GLOBAL float* y) {
    POOL_GEOMETRY(geo);
    int i = GID;
    if (i >= PLANES * OH * OW) return;
    int ox = i % OW;
    int oy = (i / OW) % OH;
    GLOBAL const float* plane = x + (i / (OH * OW)) * H * W;
    int y0 = oy * SH - PT;
    int x0 = ox * SW - PL;
    float sum = 0.0f;
    for (int iy = max(y0, 0); iy < min(y0 + KH, H); iy++) {
        for (int ix = max(x0, 0); ix < min(x0 + KW, W); ix++) sum += plane[iy * W + ix];
    }
    y[i] = sum / (float) pool_divisor(H, W, KH, KW, PB, PR, INCLUDE_PAD, y0, x0);
}

KERNEL void avg_pool_bwd(Geo geo, GLOBAL const float* dy, GLOBAL float* dx) {
    POOL_GEOMETRY(geo);
    int i = GID;
    if (i >= PLANES * H * W) return;
    int ix = i % W;
    int iy = (i / W) % H;
    GLOBAL const float* dyp = dy + (i / (H * W)) * OH * OW;
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
