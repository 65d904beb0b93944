// Elementwise and strided-copy kernels: one thread per output element.
// Shared by the CUDA and OpenCL backends; written against dialect.h (see README.md).

// Java's Math.max and Math.min, which the reference uses: NaN propagates and +0 > -0 (fmaxf and
// fminf return the other operand for NaN).
DEVICE float java_max(float a, float b) {
    if (isnan(a)) return a;
    if (a == 0.0f && b == 0.0f && __float_as_int(a) < 0) return b;
    return a >= b ? a : b;
}

DEVICE float java_min(float a, float b) {
    if (isnan(a)) return a;
    if (a == 0.0f && b == 0.0f && __float_as_int(b) < 0) return b;
    return a <= b ? a : b;
}

DEVICE float unary_f(int op, float a, float b, float x) {
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

DEVICE float unary_d(int op, float a, float b, float x, float y) {
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

KERNEL void fill(GLOBAL float* dst, int off, int n, float v) {
    int i = GID;
    if (i < n) dst[off + i] = v;
}

KERNEL void unary(int op, float a, float b, GLOBAL const float* x, GLOBAL float* y, int n) {
    int i = GID;
    if (i < n) y[i] = unary_f(op, a, b, x[i]);
}

KERNEL void unary_backward(int op, float a, float b, GLOBAL const float* x, GLOBAL const float* y,
                           GLOBAL const float* dy, GLOBAL float* dx, int n) {
    int i = GID;
    if (i < n) dx[i] = dy[i] * unary_d(op, a, b, x[i], y[i]);
}

KERNEL void binary(int op, int rank, Dims shape, Dims as, Dims bs, GLOBAL const float* a, int aOff,
                   GLOBAL const float* b, int bOff, GLOBAL float* out, int n) {
    int i = GID;
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

KERNEL void copy_strided(int rank, Dims shape, Dims ss, Dims ds, GLOBAL const float* src, int sOff,
                         GLOBAL float* dst, int dOff, int n) {
    int i = GID;
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
