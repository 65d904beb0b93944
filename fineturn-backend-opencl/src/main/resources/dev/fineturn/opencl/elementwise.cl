// Elementwise and copy kernels for the fineturn OpenCL backend.
// Unary op codes follow dev.fineturn.spi.UnaryOp's ordinal order.
#define OP_RELU 0
#define OP_CLIPPED_RELU 1
#define OP_LEAKY_RELU 2
#define OP_SIGMOID 3
#define OP_TANH 4
#define OP_HARD_SIGMOID 5
#define OP_HARD_SWISH 6
#define OP_EXP 7
#define OP_LOG 8
#define OP_SQRT 9
#define OP_AFFINE 10
#define OP_SQUARE 11
#define OP_ABS 12
#define OP_RECIPROCAL 13

__kernel void fill(__global float* dst, int off, int n, float v) {
    int i = get_global_id(0);
    if (i < n) dst[off + i] = v;
}

float unary_f(int op, float a, float b, float x) {
    switch (op) {
        case OP_RELU: return x > 0.0f ? x : 0.0f;
        case OP_CLIPPED_RELU: return fmin(fmax(x, 0.0f), a);
        case OP_LEAKY_RELU: return x > 0.0f ? x : a * x;
        case OP_SIGMOID: return 1.0f / (1.0f + exp(-x));
        case OP_TANH: return tanh(x);
        case OP_HARD_SIGMOID: return fmin(fmax(a * x + b, 0.0f), 1.0f);
        case OP_HARD_SWISH: return x * fmin(fmax(a * x + b, 0.0f), 1.0f);
        case OP_EXP: return exp(x);
        case OP_LOG: return log(x);
        case OP_SQRT: return sqrt(x);
        case OP_AFFINE: return a * x + b;
        case OP_SQUARE: return x * x;
        case OP_ABS: return fabs(x);
        case OP_RECIPROCAL: return 1.0f / x;
    }
    return NAN;
}

float unary_d(int op, float a, float b, float x, float y) {
    float t;
    switch (op) {
        case OP_RELU: return x > 0.0f ? 1.0f : 0.0f;
        case OP_CLIPPED_RELU: return (x > 0.0f && x < a) ? 1.0f : 0.0f;
        case OP_LEAKY_RELU: return x > 0.0f ? 1.0f : a;
        case OP_SIGMOID: return y * (1.0f - y);
        case OP_TANH: return 1.0f - y * y;
        case OP_HARD_SIGMOID: t = a * x + b; return (t > 0.0f && t < 1.0f) ? a : 0.0f;
        case OP_HARD_SWISH: t = a * x + b; return t <= 0.0f ? 0.0f : (t >= 1.0f ? 1.0f : t + a * x);
        case OP_EXP: return y;
        case OP_LOG: return 1.0f / x;
        case OP_SQRT: return 0.5f / y;
        case OP_AFFINE: return a;
        case OP_SQUARE: return 2.0f * x;
        case OP_ABS: return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : 0.0f);
        case OP_RECIPROCAL: return -y * y;
    }
    return NAN;
}

__kernel void unary(int op, float a, float b, __global const float* x, __global float* y, int n) {
    int i = get_global_id(0);
    if (i < n) y[i] = unary_f(op, a, b, x[i]);
}

__kernel void unary_backward(int op, float a, float b, __global const float* x, __global const float* y,
                             __global const float* dy, __global float* dx, int n) {
    int i = get_global_id(0);
    if (i < n) dx[i] = dy[i] * unary_d(op, a, b, x[i], y[i]);
}

// Binary op codes follow dev.fineturn.spi.BinaryOp.
__kernel void binary(int op, int rank, int8 shape, int8 as, int8 bs,
                     __global const float* a, int aOff, __global const float* b, int bOff,
                     __global float* out, int n) {
    int i = get_global_id(0);
    if (i >= n) return;
    int sh[8] = {shape.s0, shape.s1, shape.s2, shape.s3, shape.s4, shape.s5, shape.s6, shape.s7};
    int sa[8] = {as.s0, as.s1, as.s2, as.s3, as.s4, as.s5, as.s6, as.s7};
    int sb[8] = {bs.s0, bs.s1, bs.s2, bs.s3, bs.s4, bs.s5, bs.s6, bs.s7};
    int rem = i, ia = aOff, ib = bOff;
    for (int d = rank - 1; d >= 0; d--) {
        int idx = rem % sh[d];
        rem /= sh[d];
        ia += idx * sa[d];
        ib += idx * sb[d];
    }
    float x = a[ia], y = b[ib], r;
    switch (op) {
        case 0: r = x + y; break;
        case 1: r = x - y; break;
        case 2: r = x * y; break;
        case 3: r = x / y; break;
        case 4: r = fmax(x, y); break;
        default: r = fmin(x, y); break;
    }
    out[i] = r;
}

__kernel void copy_strided(int rank, int8 shape, int8 ss, int8 ds,
                           __global const float* src, int sOff, __global float* dst, int dOff, int n) {
    int i = get_global_id(0);
    if (i >= n) return;
    int sh[8] = {shape.s0, shape.s1, shape.s2, shape.s3, shape.s4, shape.s5, shape.s6, shape.s7};
    int s1[8] = {ss.s0, ss.s1, ss.s2, ss.s3, ss.s4, ss.s5, ss.s6, ss.s7};
    int d1[8] = {ds.s0, ds.s1, ds.s2, ds.s3, ds.s4, ds.s5, ds.s6, ds.s7};
    int rem = i, is = sOff, id = dOff;
    for (int d = rank - 1; d >= 0; d--) {
        int idx = rem % sh[d];
        rem /= sh[d];
        is += idx * s1[d];
        id += idx * d1[d];
    }
    dst[id] = src[is];
}
