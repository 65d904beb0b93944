// Max and average pooling over NCHW planes with PyTorch's rules. The geometry is one int16:
// {planes, inH, inW, kh, kw, strideH, strideW, padTop, padLeft, padBottom, padRight,
//  countIncludePad, outH, outW, 0, 0}. Backward kernels gather per input element, visiting the
// windows in the same (oy, ox) order as the reference, so no atomics are needed.
#define POOL_GEOMETRY(g) \
    const int PLANES = g.s0, H = g.s1, W = g.s2, KH = g.s3, KW = g.s4, SH = g.s5, SW = g.s6; \
    const int PT = g.s7, PL = g.s8, PB = g.s9, PR = g.sa, INCLUDE_PAD = g.sb, OH = g.sc, OW = g.sd

// Offset within the plane of the first maximum of window (oy, ox), scanning row-major; NaN wins.
// -1 for a window that lies entirely in the padding.
int pool_argmax(__global const float* plane, int H, int W, int KH, int KW, int SH, int SW, int PT, int PL,
                int oy, int ox) {
    int y0 = oy * SH - PT;
    int x0 = ox * SW - PL;
    int best = -1;
    float bestValue = -INFINITY;
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
int pool_divisor(int H, int W, int KH, int KW, int PB, int PR, int includePad, int y0, int x0) {
    if (includePad) {
        return (min(y0 + KH, H + PB) - y0) * (min(x0 + KW, W + PR) - x0);
    }
    return max(1, (min(y0 + KH, H) - max(y0, 0)) * (min(x0 + KW, W) - max(x0, 0)));
}

__kernel void max_pool_fwd(int16 geo, __global const float* x, __global float* y) {
    POOL_GEOMETRY(geo);
    int i = get_global_id(0);
    if (i >= PLANES * OH * OW) return;
    int ox = i % OW;
    int oy = (i / OW) % OH;
    __global const float* plane = x + (i / (OH * OW)) * H * W;
    int best = pool_argmax(plane, H, W, KH, KW, SH, SW, PT, PL, oy, ox);
    y[i] = best < 0 ? -INFINITY : plane[best];
}

// First and last output index whose window covers input index `at` (last < first when none).
int2 pool_windows(int at, int pad, int k, int s, int outSize) {
    int num = at + pad - k;
    int first = num < 0 ? 0 : num / s + 1;
    int last = min((at + pad) / s, outSize - 1);
    return (int2)(first, last);
}

__kernel void max_pool_bwd(int16 geo, __global const float* x, __global const float* dy, __global float* dx) {
    POOL_GEOMETRY(geo);
    int i = get_global_id(0);
    if (i >= PLANES * H * W) return;
    int ix = i % W;
    int iy = (i / W) % H;
    int p = i / (H * W);
    __global const float* plane = x + p * H * W;
    __global const float* dyp = dy + p * OH * OW;
    int2 ry = pool_windows(iy, PT, KH, SH, OH);
    int2 rx = pool_windows(ix, PL, KW, SW, OW);
    float acc = 0.0f;
    for (int oy = ry.x; oy <= ry.y; oy++) {
        for (int ox = rx.x; ox <= rx.y; ox++) {
            if (pool_argmax(plane, H, W, KH, KW, SH, SW, PT, PL, oy, ox) == iy * W + ix) acc += dyp[oy * OW + ox];
        }
    }
    dx[i] = acc;
}

__kernel void avg_pool_fwd(int16 geo, __global const float* x, __global float* y) {
    POOL_GEOMETRY(geo);
    int i = get_global_id(0);
    if (i >= PLANES * OH * OW) return;
    int ox = i % OW;
    int oy = (i / OW) % OH;
    __global const float* plane = x + (i / (OH * OW)) * H * W;
    int y0 = oy * SH - PT;
    int x0 = ox * SW - PL;
    float sum = 0.0f;
    for (int iy = max(y0, 0); iy < min(y0 + KH, H); iy++) {
        for (int ix = max(x0, 0); ix < min(x0 + KW, W); ix++) sum += plane[iy * W + ix];
    }
    y[i] = sum / (float) pool_divisor(H, W, KH, KW, PB, PR, INCLUDE_PAD, y0, x0);
}

__kernel void avg_pool_bwd(int16 geo, __global const float* dy, __global float* dx) {
    POOL_GEOMETRY(geo);
    int i = get_global_id(0);
    if (i >= PLANES * H * W) return;
    int ix = i % W;
    int iy = (i / W) % H;
    __global const float* dyp = dy + (i / (H * W)) * OH * OW;
    int2 ry = pool_windows(iy, PT, KH, SH, OH);
    int2 rx = pool_windows(ix, PL, KW, SW, OW);
    float acc = 0.0f;
    for (int oy = ry.x; oy <= ry.y; oy++) {
        for (int ox = rx.x; ox <= rx.y; ox++) {
            int d = pool_divisor(H, W, KH, KW, PB, PR, INCLUDE_PAD, oy * SH - PT, ox * SW - PL);
            acc += dyp[oy * OW + ox] / (float) d;
        }
    }
    dx[i] = acc;
}
