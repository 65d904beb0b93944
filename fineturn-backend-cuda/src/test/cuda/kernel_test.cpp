// Runs every kernel of src/main/cuda/kernels.cu on the CPU through cuda_emu.h and compares its
// output with naive loops written here after the reference backend (dev.fineturn.reference.*,
// double accumulation). Shapes are small and awkward: odd sizes, batch 1, strides, padding,
// dilation, groups (depthwise included), all GEMM transposes with alpha, beta and batch strides,
// both GEMM tiles, split reductions. Prints one line per case and exits 1 when any case fails.
//
//   g++ -std=c++20 -O1 -pthread -o kernel_test kernel_test.cpp && ./kernel_test [dropout.txt]
//
// The optional file holds dropout masks computed by the Java reference (lines "seed p n" followed
// by n floats as raw int bits); the kernel must reproduce them bit for bit.
#include "cuda_emu.h"
#include "../../main/cuda/kernels.cu"

#include <array>
#include <chrono>
#include <csignal>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <unistd.h>

using Vec = std::vector<float>;
using DVec = std::vector<double>;

static int cases = 0;
static int failures = 0;

// ---- helpers --------------------------------------------------------------------------------

static Vec random(size_t n, uint64_t seed, float lo = -1.0f, float hi = 1.0f) {
    Vec v(n);
    uint64_t s = seed * 0x9E3779B97F4A7C15ULL + 12345;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        v[i] = lo + (hi - lo) * (float) ((s >> 40) * (1.0 / 16777216.0));
    }
    return v;
}

static DVec widen(const Vec& v) {
    return DVec(v.begin(), v.end());
}

// Element-wise within rtol of the largest expected magnitude (at least minScale); NaN meets NaN.
static bool check(const std::string& name, const DVec& expected, const Vec& actual, double rtol = 1e-4,
                  double minScale = 1e-6) {
    cases++;
    double scale = minScale;
    for (double e : expected) {
        if (std::isfinite(e)) scale = std::max(scale, std::fabs(e));
    }
    double tol = rtol * scale;
    double worst = 0;
    long bad = -1;
    if (expected.size() != actual.size()) {
        std::printf("FAIL %s: %zu values expected, %zu computed\n", name.c_str(), expected.size(), actual.size());
        failures++;
        return false;
    }
    for (size_t i = 0; i < expected.size(); i++) {
        double e = expected[i];
        double a = actual[i];
        bool ok;
        if (std::isnan(e)) {
            ok = std::isnan(a);
        } else if (std::isinf(e)) {
            ok = e == a;
        } else {
            double err = std::fabs(e - a);
            ok = err <= tol;
            if (err > worst || std::isnan(err)) worst = std::isnan(err) ? INFINITY : err;
        }
        if (!ok && bad < 0) bad = (long) i;
    }
    if (bad >= 0) {
        std::printf("FAIL %s: element %ld expected %.9g got %.9g (tolerance %.3g, %zu values)\n", name.c_str(), bad,
                    expected[bad], (double) actual[bad], tol, expected.size());
        failures++;
        return false;
    }
    std::printf("PASS %s (%zu values, max error %.3g, tolerance %.3g)\n", name.c_str(), expected.size(), worst, tol);
    return true;
}

static dim3 linear(long long n) {
    return dim3((unsigned) std::max(1LL, (n + 255) / 256));
}

static const dim3 B256(256);

static std::string str(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

static std::string str(const char* fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return buf;
}

// Java's Math.max / Math.min.
static float jmax(float a, float b) {
    if (a != a) return a;
    if (a == 0.0f && b == 0.0f && std::signbit(a)) return b;
    return a >= b ? a : b;
}

static float jmin(float a, float b) {
    if (a != a) return a;
    if (a == 0.0f && b == 0.0f && std::signbit(b)) return b;
    return a <= b ? a : b;
}

// ---- elementwise ----------------------------------------------------------------------------

// dev.fineturn.reference.ElementwiseKernels.unary / derivative, op codes in UnaryOp order.
static float ref_unary(int op, float a, float b, float x) {
    switch (op) {
        case 0: return x > 0 ? x : 0.0f;
        case 1: return jmin(jmax(x, 0.0f), a);
        case 2: return x > 0 ? x : a * x;
        case 3: return (float) (1.0 / (1.0 + std::exp(-(double) x)));
        case 4: return (float) std::tanh((double) x);
        case 5: return jmin(jmax(a * x + b, 0.0f), 1.0f);
        case 6: return x * jmin(jmax(a * x + b, 0.0f), 1.0f);
        case 7: return (float) std::exp((double) x);
        case 8: return (float) std::log((double) x);
        case 9: return (float) std::sqrt((double) x);
        case 10: return a * x + b;
        case 11: return x * x;
        case 12: return std::fabs(x);
        default: return 1.0f / x;
    }
}

static float ref_derivative(int op, float a, float b, float x, float y) {
    float t;
    switch (op) {
        case 0: return x > 0 ? 1.0f : 0.0f;
        case 1: return x > 0 && x < a ? 1.0f : 0.0f;
        case 2: return x > 0 ? 1.0f : a;
        case 3: return y * (1.0f - y);
        case 4: return 1.0f - y * y;
        case 5: t = a * x + b; return t > 0 && t < 1 ? a : 0.0f;
        case 6: t = a * x + b; return t <= 0 ? 0.0f : t >= 1 ? 1.0f : t + a * x;
        case 7: return y;
        case 8: return 1.0f / x;
        case 9: return 0.5f / y;
        case 10: return a;
        case 11: return 2.0f * x;
        case 12: return x > 0 ? 1.0f : x < 0 ? -1.0f : 0.0f;
        default: return -y * y;
    }
}

static const char* UNARY_NAMES[] = {"relu", "clipped_relu", "leaky_relu", "sigmoid", "tanh", "hard_sigmoid",
                                    "hard_swish", "exp", "log", "sqrt", "affine", "square", "abs", "reciprocal"};

static void test_elementwise() {
    {
        Vec v = random(1000, 1);
        DVec expected = widen(v);
        for (int i = 3; i < 3 + 990; i++) expected[i] = 2.5;
        cuda_emu::launch(linear(990), B256, fill, v.data(), 3, 990, 2.5f);
        check("fill offset=3 n=990 of 1000", expected, v, 0);
    }
    const int n = 517;
    for (int op = 0; op < 14; op++) {
        // log, sqrt and reciprocal mostly on positive inputs; a few negatives and special values.
        Vec x = op == 8 || op == 9 || op == 13 ? random(n, 10 + op, -0.2f, 4.0f) : random(n, 10 + op, -4.0f, 4.0f);
        x[0] = 0.0f;
        x[1] = -0.0f;
        x[2] = NAN;
        x[3] = 6.5f;
        float a = op == 1 ? 6.0f : op == 2 ? 0.01f : op == 5 || op == 6 ? 1.0f / 6.0f : op == 10 ? -1.5f : 0.0f;
        float b = op == 5 || op == 6 ? 0.5f : op == 10 ? 0.25f : 0.0f;
        Vec y(n), dy = random(n, 30 + op), dx(n);
        cuda_emu::launch(linear(n), B256, unary, op, a, b, x.data(), y.data(), n);
        DVec ey(n), edx(n);
        for (int i = 0; i < n; i++) ey[i] = ref_unary(op, a, b, x[i]);
        check(str("unary %s n=%d", UNARY_NAMES[op], n), ey, y, 1e-5);
        Vec yr(n);
        for (int i = 0; i < n; i++) yr[i] = ref_unary(op, a, b, x[i]);
        cuda_emu::launch(linear(n), B256, unary_backward, op, a, b, x.data(), yr.data(), dy.data(), dx.data(), n);
        for (int i = 0; i < n; i++) edx[i] = dy[i] * ref_derivative(op, a, b, x[i], yr[i]);
        check(str("unary_backward %s n=%d", UNARY_NAMES[op], n), edx, dx, 1e-5);
    }
    // binary with broadcasting: a [3, 4, 5] read through strides with an offset, b [1, 4, 1] broadcast.
    const char* binNames[] = {"add", "sub", "mul", "div", "max", "min"};
    for (int op = 0; op < 6; op++) {
        Dims shape = {{3, 4, 5}}, as = {{20, 5, 1}}, bs = {{0, 1, 0}};
        Vec a = random(7 + 60, 40 + op), b = random(2 + 4, 50 + op, 0.5f, 2.0f);
        a[7] = NAN;
        a[8] = -0.0f;
        b[3] = 0.0f;
        Vec out(60);
        cuda_emu::launch(linear(60), B256, binary, op, 3, shape, as, bs, a.data(), 7, b.data(), 2, out.data(), 60);
        DVec e(60);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                for (int k = 0; k < 5; k++) {
                    float x = a[7 + i * 20 + j * 5 + k], y = b[2 + j];
                    float r = op == 0 ? x + y : op == 1 ? x - y : op == 2 ? x * y : op == 3 ? x / y
                            : op == 4 ? jmax(x, y) : jmin(x, y);
                    e[(i * 4 + j) * 5 + k] = r;
                }
            }
        }
        check(str("binary %s shape=[3,4,5] b broadcast [1,4,1] offsets 7/2", binNames[op]), e, out, 1e-6);
    }
    {
        // max(-0, +0) = +0 and min(+0, -0) = -0 as in Java: compare the sign bits.
        Dims shape = {{2}}, s1 = {{1}};
        Vec a = {-0.0f, 0.0f}, b = {0.0f, -0.0f}, mx(2), mn(2);
        cuda_emu::launch(linear(2), B256, binary, 4, 1, shape, s1, s1, a.data(), 0, b.data(), 0, mx.data(), 2);
        cuda_emu::launch(linear(2), B256, binary, 5, 1, shape, s1, s1, a.data(), 0, b.data(), 0, mn.data(), 2);
        DVec signs = {0, 0, 1, 1};
        Vec got = {(float) std::signbit(mx[0]), (float) std::signbit(mx[1]), (float) std::signbit(mn[0]),
                   (float) std::signbit(mn[1])};
        check("binary max/min signed zeros like Math.max/min", signs, got, 0);
    }
    {
        // copy_strided: a [2, 3, 4] permuted view (strides 1, 8, 2 from offset 1) into a dense array at offset 5.
        Vec src = random(40, 60), dst(5 + 24, -9.0f);
        Dims shape = {{2, 3, 4}}, ss = {{1, 8, 2}}, ds = {{12, 4, 1}};
        cuda_emu::launch(linear(24), B256, copy_strided, 3, shape, ss, ds, src.data(), 1, dst.data(), 5, 24);
        DVec e(29, -9.0);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++) e[5 + i * 12 + j * 4 + k] = src[1 + i + j * 8 + k * 2];
        check("copy_strided [2,3,4] strides (1,8,2)+1 -> dense+5", e, dst, 0);
    }
}

// ---- reductions ----------------------------------------------------------------------------

// dev.fineturn.cuda.ReducePlan in C++: collapse dimensions, then run the serial or block kernel.
static void run_sum_reduce(const std::vector<int>& in, const std::vector<int>& outShape, const Vec& x, Vec& out,
                           bool block) {
    std::vector<std::array<int, 3>> dims;  // extent, reduced, stride
    int stride = 1;
    long long total = 1, outSize = 1;
    for (int d = (int) in.size() - 1; d >= 0; d--) {
        total *= in[d];
        outSize *= outShape[d];
        if (in[d] != 1) {
            int reduced = outShape[d] == 1 ? 1 : 0;
            if (!dims.empty() && dims.front()[1] == reduced) {
                dims.front()[0] *= in[d];
            } else {
                dims.insert(dims.begin(), {in[d], reduced, stride});
            }
        }
        stride *= in[d];
    }
    if (dims.empty()) dims.push_back({1, 0, 1});
    Dims kept = {}, red = {}, strides = {};
    for (size_t d = 0; d < dims.size(); d++) {
        kept.v[d] = dims[d][1] == 0 ? dims[d][0] : 1;
        red.v[d] = dims[d][1] == 0 ? 1 : dims[d][0];
        strides.v[d] = dims[d][2];
    }
    int count = (int) (total / outSize);
    int rank = (int) dims.size();
    if (block) {
        cuda_emu::launch(dim3((unsigned) outSize), B256, sum_reduce_block, rank, kept, red, strides, x.data(),
                         out.data(), count);
    } else {
        cuda_emu::launch(linear(outSize), B256, sum_reduce_serial, rank, kept, red, strides, x.data(), out.data(),
                         (int) outSize, count);
    }
}

// ElementwiseKernels.sumReduce.
static DVec ref_sum_reduce(const std::vector<int>& in, const std::vector<int>& outShape, const Vec& x) {
    int rank = (int) in.size();
    std::vector<long> outStrides(rank);
    long stride = 1, outSize = 1;
    for (int d = rank - 1; d >= 0; d--) {
        outStrides[d] = outShape[d] == 1 ? 0 : stride;
        stride *= outShape[d];
        outSize *= outShape[d];
    }
    DVec acc(outSize, 0.0);
    std::vector<int> idx(rank, 0);
    for (size_t i = 0; i < x.size(); i++) {
        long o = 0;
        for (int d = 0; d < rank; d++) o += idx[d] * outStrides[d];
        acc[o] += x[i];
        for (int d = rank - 1; d >= 0; d--) {
            if (++idx[d] < in[d]) break;
            idx[d] = 0;
        }
    }
    return acc;
}

static std::string shape_str(const std::vector<int>& s) {
    std::string r = "[";
    for (size_t i = 0; i < s.size(); i++) r += (i ? "," : "") + std::to_string(s[i]);
    return r + "]";
}

static void test_reductions() {
    struct Case { std::vector<int> in, out; };
    std::vector<Case> cs = {
        {{2, 3, 4}, {1, 3, 1}}, {{7, 13}, {1, 13}}, {{7, 13}, {7, 1}}, {{1, 5, 1, 3}, {1, 5, 1, 1}},
        {{3, 1, 17, 5}, {1, 1, 17, 1}}, {{300, 3}, {1, 3}}, {{2, 3, 5, 7}, {2, 1, 5, 1}}, {{9}, {1}},
    };
    int seed = 100;
    for (const Case& c : cs) {
        long long n = 1, outSize = 1;
        for (size_t d = 0; d < c.in.size(); d++) {
            n *= c.in[d];
            outSize *= c.out[d];
        }
        Vec x = random(n, seed++);
        DVec e = ref_sum_reduce(c.in, c.out, x);
        for (bool block : {false, true}) {
            Vec out(outSize, NAN);
            run_sum_reduce(c.in, c.out, x, out, block);
            check(str("%s %s -> %s", block ? "sum_reduce_block" : "sum_reduce_serial", shape_str(c.in).c_str(),
                      shape_str(c.out).c_str()), e, out);
        }
    }
    {
        const int splits = 5, n = 301;
        Vec parts = random(splits * n, 7), out(n);
        cuda_emu::launch(linear(n), B256, sum_partials, parts.data(), splits, out.data(), n);
        DVec e(n, 0.0);
        for (int s = 0; s < splits; s++)
            for (int i = 0; i < n; i++) e[i] += parts[s * n + i];
        check("sum_partials splits=5 n=301", e, out);
    }
}

// ---- GEMM -----------------------------------------------------------------------------------

struct Tile {
    const char* name;
    int rows, cols;
};
static const Tile LARGE = {"large", 128, 128};
static const Tile SMALL = {"small", 64, 64};

static dim3 tiles(const Tile& t, long long rows, long long cols, long long depth) {
    return dim3((unsigned) std::max(1LL, (cols + t.cols - 1) / t.cols), (unsigned) std::max(1LL, (rows + t.rows - 1) / t.rows),
                (unsigned) depth);
}

// GemmKernels.gemm.
static void ref_gemm(int batch, int m, int n, int k, bool tA, bool tB, long sA, long sB, long sC, float alpha,
                     const Vec& a, int aOff, const Vec& b, int bOff, float beta, DVec& c, int cOff) {
    for (int bt = 0; bt < batch; bt++) {
        long ao = aOff + bt * sA, bo = bOff + bt * sB, co = cOff + bt * sC;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    float av = tA ? a[ao + p * m + i] : a[ao + i * k + p];
                    float bv = tB ? b[bo + j * k + p] : b[bo + p * n + j];
                    sum += (double) av * bv;
                }
                long ci = co + i * n + j;
                float old = (float) c[ci];
                c[ci] = beta == 0.0f ? (float) (alpha * sum) : (float) (alpha * sum + beta * old);
            }
        }
    }
}

static void test_gemm() {
    struct Case { int batch, m, n, k; float alpha, beta; bool broadcastB; };
    std::vector<Case> cs = {
        {1, 7, 13, 17, 1.0f, 0.0f, false}, {2, 7, 13, 17, 1.5f, 0.5f, false}, {1, 1, 1, 1, 1.0f, 0.0f, false},
        {3, 5, 9, 33, -0.75f, 1.0f, true}, {1, 130, 67, 9, 1.0f, 0.0f, false}, {1, 65, 129, 20, 2.0f, -1.0f, false},
        {1, 3, 4, 0, 1.0f, 0.5f, false},
    };
    int seed = 200;
    for (bool large : {true, false}) {
        const Tile& tile = large ? LARGE : SMALL;
        auto kernel = large ? gemm_large : gemm_small;
        for (const Case& c : cs) {
            for (int t = 0; t < 4; t++) {
                bool tA = t & 1, tB = t & 2;
                // Batch strides with gaps, operands at offsets, C holding values that beta scales.
                long sA = (long) c.m * c.k + 3, sB = c.broadcastB ? 0 : (long) c.k * c.n + 1, sC = (long) c.m * c.n + 2;
                int aOff = 5, bOff = 2, cOff = 4;
                Vec a = random(aOff + sA * c.batch + 1, seed++), b = random(bOff + std::max(sB * c.batch, (long) c.k * c.n) + 1, seed++);
                Vec cv = random(cOff + sC * c.batch + 1, seed++);
                DVec e = widen(cv);
                ref_gemm(c.batch, c.m, c.n, c.k, tA, tB, sA, sB, sC, c.alpha, a, aOff, b, bOff, c.beta, e, cOff);
                cuda_emu::launch(tiles(tile, c.m, c.n, c.batch), B256, kernel, c.m, c.n, c.k, (int) tA, (int) tB,
                                 c.alpha, c.beta, a.data(), aOff, (int) sA, b.data(), bOff, (int) sB, cv.data(), cOff,
                                 (int) sC);
                check(str("gemm_%s %s%s batch=%d m=%d n=%d k=%d alpha=%g beta=%g%s", tile.name, tA ? "T" : "N",
                          tB ? "T" : "N", c.batch, c.m, c.n, c.k, c.alpha, c.beta, c.broadcastB ? " B broadcast" : ""),
                      e, cv);
            }
        }
    }
}

// ---- convolution ----------------------------------------------------------------------------

struct ConvG {
    int N, C, H, W, OC, KH, KW, SH, SW, PT, PL, PB, PR, DH, DW, G;
    int OH() const { return (H + PT + PB - DH * (KH - 1) - 1) / SH + 1; }
    int OW() const { return (W + PL + PR - DW * (KW - 1) - 1) / SW + 1; }
    int ICG() const { return C / G; }
    int OCG() const { return OC / G; }
    Geo geo() const { return Geo{{N, C, H, W, OC, KH, KW, SH, SW, PT, PL, DH, DW, G, OH(), OW()}}; }
    std::string str() const {
        return ::str("n=%d c=%d %dx%d oc=%d k=%dx%d s=%dx%d pad=%d,%d,%d,%d d=%dx%d g=%d", N, C, H, W, OC, KH, KW, SH,
                     SW, PT, PL, PB, PR, DH, DW, G);
    }
};

// ConvKernels.forward / backwardData / backwardWeights.
static DVec ref_conv_fwd(const ConvG& g, const Vec& x, const Vec& w) {
    int oh = g.OH(), ow = g.OW(), icg = g.ICG(), ocg = g.OCG();
    DVec y((size_t) g.N * g.OC * oh * ow);
    for (int n = 0; n < g.N; n++)
        for (int oc = 0; oc < g.OC; oc++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    double sum = 0;
                    for (int ic = 0; ic < icg; ic++) {
                        int c = oc / ocg * icg + ic;
                        for (int ky = 0; ky < g.KH; ky++) {
                            int iy = oy * g.SH - g.PT + ky * g.DH;
                            if (iy < 0 || iy >= g.H) continue;
                            for (int kx = 0; kx < g.KW; kx++) {
                                int ix = ox * g.SW - g.PL + kx * g.DW;
                                if (ix < 0 || ix >= g.W) continue;
                                sum += (double) x[((n * g.C + c) * g.H + iy) * g.W + ix]
                                       * w[((oc * icg + ic) * g.KH + ky) * g.KW + kx];
                            }
                        }
                    }
                    y[((n * g.OC + oc) * oh + oy) * ow + ox] = (float) sum;
                }
    return y;
}

static DVec ref_conv_bwd_data(const ConvG& g, const Vec& dy, const Vec& w) {
    int oh = g.OH(), ow = g.OW(), icg = g.ICG(), ocg = g.OCG();
    DVec acc((size_t) g.N * g.C * g.H * g.W, 0.0);
    for (int n = 0; n < g.N; n++)
        for (int oc = 0; oc < g.OC; oc++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    double d = dy[((n * g.OC + oc) * oh + oy) * ow + ox];
                    for (int ic = 0; ic < icg; ic++) {
                        int c = oc / ocg * icg + ic;
                        for (int ky = 0; ky < g.KH; ky++) {
                            int iy = oy * g.SH - g.PT + ky * g.DH;
                            if (iy < 0 || iy >= g.H) continue;
                            for (int kx = 0; kx < g.KW; kx++) {
                                int ix = ox * g.SW - g.PL + kx * g.DW;
                                if (ix < 0 || ix >= g.W) continue;
                                acc[((n * g.C + c) * g.H + iy) * g.W + ix] += d * w[((oc * icg + ic) * g.KH + ky) * g.KW + kx];
                            }
                        }
                    }
                }
    for (double& v : acc) v = (float) v;
    return acc;
}

static DVec ref_conv_bwd_weights(const ConvG& g, const Vec& x, const Vec& dy) {
    int oh = g.OH(), ow = g.OW(), icg = g.ICG(), ocg = g.OCG();
    DVec dw((size_t) g.OC * icg * g.KH * g.KW);
    for (int oc = 0; oc < g.OC; oc++)
        for (int ic = 0; ic < icg; ic++) {
            int c = oc / ocg * icg + ic;
            for (int ky = 0; ky < g.KH; ky++)
                for (int kx = 0; kx < g.KW; kx++) {
                    double sum = 0;
                    for (int n = 0; n < g.N; n++)
                        for (int oy = 0; oy < oh; oy++) {
                            int iy = oy * g.SH - g.PT + ky * g.DH;
                            if (iy < 0 || iy >= g.H) continue;
                            for (int ox = 0; ox < ow; ox++) {
                                int ix = ox * g.SW - g.PL + kx * g.DW;
                                if (ix < 0 || ix >= g.W) continue;
                                sum += (double) dy[((n * g.OC + oc) * oh + oy) * ow + ox]
                                       * x[((n * g.C + c) * g.H + iy) * g.W + ix];
                            }
                        }
                    dw[((oc * icg + ic) * g.KH + ky) * g.KW + kx] = (float) sum;
                }
        }
    return dw;
}

static void test_conv() {
    std::vector<ConvG> gs = {
        // n, c, h, w, oc, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, g
        {2, 20, 17, 19, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},
        {3, 12, 15, 13, 18, 3, 3, 2, 2, 0, 1, 2, 1, 2, 2, 2},
        {1, 7, 13, 17, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1},
        {1, 3, 7, 7, 130, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1},
        {2, 6, 9, 11, 4, 2, 3, 1, 2, 0, 2, 1, 0, 3, 1, 2},
        {1, 8, 23, 21, 8, 5, 5, 2, 2, 2, 3, 1, 0, 2, 1, 8},   // depthwise
        {1, 12, 9, 9, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3},    // one output channel per group
        {2, 4, 7, 7, 8, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 4},     // depthwise with multiplier 2
        {1, 1, 13, 17, 7, 3, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1},   // one input channel
    };
    int seed = 300;
    for (const ConvG& g : gs) {
        int oh = g.OH(), ow = g.OW();
        size_t xn = (size_t) g.N * g.C * g.H * g.W, wn = (size_t) g.OC * g.ICG() * g.KH * g.KW,
               yn = (size_t) g.N * g.OC * oh * ow;
        Vec x = random(xn, seed++), w = random(wn, seed++), dy = random(yn, seed++);
        DVec ey = ref_conv_fwd(g, x, w), edx = ref_conv_bwd_data(g, dy, w), edw = ref_conv_bwd_weights(g, x, dy);
        Geo geo = g.geo();
        bool direct = g.ICG() == 1 || g.OCG() == 1;
        if (direct) {
            Vec y(yn, NAN), dx(xn, NAN), dw(wn, NAN);
            cuda_emu::launch(linear(yn), B256, conv_fwd_direct, geo, x.data(), w.data(), y.data());
            cuda_emu::launch(linear(xn), B256, conv_bwd_data_direct, geo, dy.data(), w.data(), dx.data());
            cuda_emu::launch(dim3((unsigned) wn), B256, conv_bwd_weights_direct, geo, x.data(), dy.data(), dw.data());
            check("conv_fwd_direct " + g.str(), ey, y);
            check("conv_bwd_data_direct " + g.str(), edx, dx);
            check("conv_bwd_weights_direct " + g.str(), edw, dw);
        }
        // The implicit GEMMs handle every geometry; the backend only sends them the non-direct ones.
        for (bool large : {true, false}) {
            const Tile& tile = large ? LARGE : SMALL;
            if (direct && large) continue;
            Vec y(yn, NAN), dx(xn, NAN);
            long long pixels = (long long) g.N * oh * ow, inPixels = (long long) g.N * g.H * g.W;
            cuda_emu::launch(tiles(tile, g.OCG(), pixels, g.G), B256, large ? conv_fwd_large : conv_fwd_small, geo,
                             x.data(), w.data(), y.data());
            check(str("conv_fwd_%s ", tile.name) + g.str(), ey, y);
            cuda_emu::launch(tiles(tile, g.ICG(), inPixels, g.G), B256, large ? conv_bwd_data_large : conv_bwd_data_small,
                             geo, dy.data(), w.data(), dx.data());
            check(str("conv_bwd_data_%s ", tile.name) + g.str(), edx, dx);
            int reduction = (int) pixels;
            int perOut = g.ICG() * g.KH * g.KW;
            int depth = large ? 8 : 16;
            for (int splits : {1, 2, 3}) {
                int chunk = (reduction + splits * depth - 1) / (splits * depth) * depth;
                int used = (reduction + chunk - 1) / chunk;
                Vec parts((size_t) used * wn, NAN), dw(wn, NAN);
                auto kernel = large ? conv_bwd_weights_large : conv_bwd_weights_small;
                if (used == 1) {
                    cuda_emu::launch(tiles(tile, g.OCG(), perOut, g.G), B256, kernel, geo, x.data(), dy.data(),
                                     dw.data(), 1, chunk);
                } else {
                    cuda_emu::launch(tiles(tile, g.OCG(), perOut, (long long) g.G * used), B256, kernel, geo,
                                     x.data(), dy.data(), parts.data(), used, chunk);
                    cuda_emu::launch(linear(wn), B256, sum_partials, parts.data(), used, dw.data(), (int) wn);
                }
                check(str("conv_bwd_weights_%s splits=%d chunk=%d ", tile.name, used, chunk) + g.str(), edw, dw);
                if (used == 1 && splits > 1) break;
            }
        }
    }
}

// ---- pooling --------------------------------------------------------------------------------

struct PoolG {
    int N, C, H, W, KH, KW, SH, SW, PT, PL, PB, PR;
    bool ceil, includePad;
    static int out(int in, int k, int s, int p0, int p1, bool ceil) {
        int span = in + p0 + p1 - k;
        int o = (ceil ? (span + s - 1) / s : span / s) + 1;
        if (ceil && (o - 1) * s >= in + p0) o--;
        return o;
    }
    int OH() const { return out(H, KH, SH, PT, PB, ceil); }
    int OW() const { return out(W, KW, SW, PL, PR, ceil); }
    Geo geo() const { return Geo{{N * C, H, W, KH, KW, SH, SW, PT, PL, PB, PR, includePad ? 1 : 0, OH(), OW(), 0, 0}}; }
    std::string str() const {
        return ::str("n=%d c=%d %dx%d k=%dx%d s=%dx%d pad=%d,%d,%d,%d%s%s -> %dx%d", N, C, H, W, KH, KW, SH, SW, PT,
                     PL, PB, PR, ceil ? " ceil" : "", includePad ? " count_include_pad" : "", OH(), OW());
    }
};

// PoolKernels.argmax / divisor.
static int ref_argmax(const PoolG& g, const Vec& x, int xb, int oy, int ox) {
    int y0 = oy * g.SH - g.PT, x0 = ox * g.SW - g.PL;
    int best = -1;
    float bestValue = -INFINITY;
    for (int iy = std::max(y0, 0); iy < std::min(y0 + g.KH, g.H); iy++)
        for (int ix = std::max(x0, 0); ix < std::min(x0 + g.KW, g.W); ix++) {
            float v = x[xb + iy * g.W + ix];
            if (best < 0 || v > bestValue || (std::isnan(v) && !std::isnan(bestValue))) {
                best = iy * g.W + ix;
                bestValue = v;
            }
        }
    return best;
}

static int ref_divisor(const PoolG& g, int y0, int x0) {
    if (g.includePad) {
        int y1 = std::min(y0 + g.KH, g.H + g.PB), x1 = std::min(x0 + g.KW, g.W + g.PR);
        return (y1 - y0) * (x1 - x0);
    }
    int y1 = std::min(y0 + g.KH, g.H), x1 = std::min(x0 + g.KW, g.W);
    return std::max(1, (y1 - std::max(y0, 0)) * (x1 - std::max(x0, 0)));
}

static void test_pool() {
    std::vector<PoolG> gs = {
        // n, c, h, w, kh, kw, sh, sw, pt, pl, pb, pr, ceil, includePad
        {2, 3, 7, 9, 3, 2, 2, 2, 1, 0, 1, 1, true, false},
        {2, 3, 7, 9, 3, 2, 2, 2, 1, 0, 1, 1, true, true},
        {1, 2, 13, 17, 3, 3, 2, 2, 1, 1, 1, 1, false, true},
        {1, 2, 13, 17, 3, 3, 2, 2, 1, 1, 1, 1, false, false},
        {1, 1, 5, 5, 2, 2, 1, 1, 0, 0, 0, 0, false, false},
        {3, 1, 6, 5, 3, 3, 3, 2, 0, 1, 2, 0, true, true},
        {1, 4, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, false, false},
    };
    int seed = 400;
    for (const PoolG& g : gs) {
        int oh = g.OH(), ow = g.OW(), planes = g.N * g.C;
        size_t xn = (size_t) planes * g.H * g.W, yn = (size_t) planes * oh * ow;
        Vec x = random(xn, seed++), dy = random(yn, seed++);
        // Ties and a NaN: the first maximum in row-major order wins, NaN beats numbers.
        if (xn > 4) {
            x[1] = x[0];
            x[xn - 1] = NAN;
        }
        Geo geo = g.geo();
        DVec ey(yn), edx(xn, 0.0), eavg(yn), edavg(xn, 0.0);
        for (int p = 0; p < planes; p++) {
            int xb = p * g.H * g.W;
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    int o = (p * oh + oy) * ow + ox;
                    int best = ref_argmax(g, x, xb, oy, ox);
                    ey[o] = best < 0 ? -INFINITY : x[xb + best];
                    if (best >= 0) edx[xb + best] = (float) (edx[xb + best] + dy[o]);
                    int y0 = oy * g.SH - g.PT, x0 = ox * g.SW - g.PL;
                    double sum = 0;
                    for (int iy = std::max(y0, 0); iy < std::min(y0 + g.KH, g.H); iy++)
                        for (int ix = std::max(x0, 0); ix < std::min(x0 + g.KW, g.W); ix++) sum += x[xb + iy * g.W + ix];
                    eavg[o] = (float) (sum / ref_divisor(g, y0, x0));
                    float d = dy[o] / ref_divisor(g, y0, x0);
                    for (int iy = std::max(y0, 0); iy < std::min(y0 + g.KH, g.H); iy++)
                        for (int ix = std::max(x0, 0); ix < std::min(x0 + g.KW, g.W); ix++)
                            edavg[xb + iy * g.W + ix] = (float) (edavg[xb + iy * g.W + ix] + d);
                }
        }
        Vec y(yn), dx(xn, NAN), avg(yn), davg(xn, NAN);
        cuda_emu::launch(linear(yn), B256, max_pool_fwd, geo, x.data(), y.data());
        cuda_emu::launch(linear(xn), B256, max_pool_bwd, geo, x.data(), dy.data(), dx.data());
        cuda_emu::launch(linear(yn), B256, avg_pool_fwd, geo, x.data(), avg.data());
        cuda_emu::launch(linear(xn), B256, avg_pool_bwd, geo, dy.data(), davg.data());
        check("max_pool_fwd " + g.str(), ey, y);
        check("max_pool_bwd " + g.str(), edx, dx);
        // The NaN poisons the averages of its windows, in the reference as on the device.
        check("avg_pool_fwd " + g.str(), eavg, avg);
        check("avg_pool_bwd " + g.str(), edavg, davg);
    }
}

// ---- softmax and cross-entropy --------------------------------------------------------------

static void test_softmax() {
    struct Case { int rows, cols; };
    int seed = 500;
    for (Case c : {Case{7, 13}, Case{1, 300}, Case{3, 1}, Case{2, 257}}) {
        for (int log = 0; log < 2; log++) {
            Vec x = random((size_t) c.rows * c.cols, seed++, -5.0f, 5.0f), y(x.size()), dy = random(x.size(), seed++),
                dx(x.size());
            DVec ey(x.size()), edx(x.size());
            for (int r = 0; r < c.rows; r++) {
                int o = r * c.cols;
                double max = -INFINITY, sum = 0;
                for (int j = 0; j < c.cols; j++) max = std::max(max, (double) x[o + j]);
                for (int j = 0; j < c.cols; j++) sum += std::exp(x[o + j] - max);
                double logSum = std::log(sum);
                for (int j = 0; j < c.cols; j++) {
                    double shifted = x[o + j] - max;
                    ey[o + j] = (float) (log ? shifted - logSum : std::exp(shifted) / sum);
                }
            }
            cuda_emu::launch(dim3(c.rows), B256, softmax_rows, c.cols, log, x.data(), y.data());
            check(str("softmax_rows %s rows=%d cols=%d", log ? "log" : "plain", c.rows, c.cols), ey, y);
            // Backward from the reference's own forward output.
            Vec yr(x.size());
            for (size_t i = 0; i < x.size(); i++) yr[i] = (float) ey[i];
            for (int r = 0; r < c.rows; r++) {
                int o = r * c.cols;
                double dot = 0;
                for (int j = 0; j < c.cols; j++) dot += log ? dy[o + j] : (double) dy[o + j] * yr[o + j];
                for (int j = 0; j < c.cols; j++)
                    edx[o + j] = log ? (float) (dy[o + j] - std::exp(yr[o + j]) * dot) : (float) (yr[o + j] * (dy[o + j] - dot));
            }
            cuda_emu::launch(dim3(c.rows), B256, softmax_backward_rows, c.cols, log, yr.data(), dy.data(), dx.data());
            check(str("softmax_backward_rows %s rows=%d cols=%d", log ? "log" : "plain", c.rows, c.cols), edx, dx);
        }
    }
    for (Case c : {Case{7, 13}, Case{1, 300}, Case{4, 2}}) {
        for (float smoothing : {0.0f, 0.1f}) {
            Vec logits = random((size_t) c.rows * c.cols, seed++, -4.0f, 4.0f), labels(c.rows);
            for (int r = 0; r < c.rows; r++) labels[r] = (float) ((r * 5 + 3) % c.cols);
            Vec probs(logits.size()), loss(c.rows), dLoss = random(c.rows, seed++), dLogits(logits.size());
            DVec eprobs(logits.size()), eloss(c.rows), edl(logits.size());
            for (int r = 0; r < c.rows; r++) {
                int o = r * c.cols, label = (int) labels[r];
                double max = -INFINITY, sum = 0, sumLogP = 0;
                for (int j = 0; j < c.cols; j++) max = std::max(max, (double) logits[o + j]);
                for (int j = 0; j < c.cols; j++) sum += std::exp(logits[o + j] - max);
                double logSum = std::log(sum) + max;
                for (int j = 0; j < c.cols; j++) {
                    double logp = logits[o + j] - logSum;
                    sumLogP += logp;
                    eprobs[o + j] = (float) std::exp(logp);
                }
                double nll = -(logits[o + label] - logSum);
                eloss[r] = (float) ((1 - smoothing) * nll - smoothing / c.cols * sumLogP);
            }
            cuda_emu::launch(dim3(c.rows), B256, cross_entropy_fwd, c.cols, smoothing, logits.data(), labels.data(),
                             probs.data(), loss.data());
            check(str("cross_entropy_fwd probs rows=%d cols=%d smoothing=%g", c.rows, c.cols, smoothing), eprobs, probs);
            check(str("cross_entropy_fwd loss rows=%d cols=%d smoothing=%g", c.rows, c.cols, smoothing), eloss, loss);
            Vec pr(logits.size());
            for (size_t i = 0; i < pr.size(); i++) pr[i] = (float) eprobs[i];
            float off = smoothing / c.cols;
            for (int r = 0; r < c.rows; r++)
                for (int j = 0; j < c.cols; j++) {
                    float target = off + (j == (int) labels[r] ? 1.0f - smoothing : 0.0f);
                    edl[r * c.cols + j] = dLoss[r] * (pr[r * c.cols + j] - target);
                }
            cuda_emu::launch(linear(pr.size()), B256, cross_entropy_bwd, c.rows, c.cols, smoothing, pr.data(),
                             labels.data(), dLoss.data(), dLogits.data());
            check(str("cross_entropy_bwd rows=%d cols=%d smoothing=%g", c.rows, c.cols, smoothing), edl, dLogits);
        }
    }
    {
        // Labels the reference rejects (2.5, -1, 5 of 5 classes): the device cannot throw and writes NaN.
        Vec logits = random(15, 77), labels = {2.5f, -1.0f, 5.0f}, probs(15), loss(3), dLoss = {1, 1, 1}, dl(15);
        cuda_emu::launch(dim3(3), B256, cross_entropy_fwd, 5, 0.0f, logits.data(), labels.data(), probs.data(),
                         loss.data());
        cuda_emu::launch(linear(15), B256, cross_entropy_bwd, 3, 5, 0.0f, probs.data(), labels.data(), dLoss.data(),
                         dl.data());
        check("cross_entropy_fwd invalid labels give NaN losses", DVec(3, NAN), loss);
        check("cross_entropy_bwd invalid labels give NaN gradients", DVec(15, NAN), dl);
    }
}

// ---- batch norm -----------------------------------------------------------------------------

static void test_batch_norm() {
    struct Case { int n, c, hw; };
    int seed = 600;
    for (Case k : {Case{2, 5, 49}, Case{1, 3, 1}, Case{3, 2, 300}, Case{4, 7, 9}}) {
        size_t total = (size_t) k.n * k.c * k.hw;
        Vec x = random(total, seed++, -2.0f, 3.0f), dy = random(total, seed++), gamma = random(k.c, seed++, 0.5f, 1.5f),
            beta = random(k.c, seed++);
        float eps = 1e-5f;
        double count = (double) k.n * k.hw;
        DVec emean(k.c), evar(k.c);
        for (int ch = 0; ch < k.c; ch++) {
            double sum = 0, sq = 0;
            for (int b = 0; b < k.n; b++)
                for (int i = 0; i < k.hw; i++) sum += x[(b * k.c + ch) * k.hw + i];
            double mu = sum / count;
            for (int b = 0; b < k.n; b++)
                for (int i = 0; i < k.hw; i++) {
                    double d = x[(b * k.c + ch) * k.hw + i] - mu;
                    sq += d * d;
                }
            emean[ch] = (float) mu;
            evar[ch] = (float) (sq / count);
        }
        Vec mean(k.c), var(k.c);
        cuda_emu::launch(dim3(k.c), B256, bn_statistics, k.n, k.c, k.hw, x.data(), mean.data(), var.data());
        std::string shape = str("n=%d c=%d hw=%d", k.n, k.c, k.hw);
        check("bn_statistics mean " + shape, emean, mean);
        check("bn_statistics var " + shape, evar, var);
        // Forward and backward from the reference's statistics.
        Vec m(k.c), v(k.c);
        for (int ch = 0; ch < k.c; ch++) {
            m[ch] = (float) emean[ch];
            v[ch] = (float) evar[ch];
        }
        DVec ey(total);
        for (int ch = 0; ch < k.c; ch++) {
            double invStd = 1.0 / std::sqrt((double) v[ch] + eps), scale = gamma[ch] * invStd;
            for (int b = 0; b < k.n; b++)
                for (int i = 0; i < k.hw; i++) {
                    int o = (b * k.c + ch) * k.hw + i;
                    ey[o] = (float) ((x[o] - m[ch]) * scale + beta[ch]);
                }
        }
        Vec y(total);
        cuda_emu::launch(linear(total), B256, bn_forward, k.n, k.c, k.hw, eps, x.data(), m.data(), v.data(),
                         gamma.data(), beta.data(), y.data());
        check("bn_forward " + shape, ey, y);
        for (int batchStats = 0; batchStats < 2; batchStats++) {
            DVec edx(total), edg(k.c), edb(k.c);
            for (int ch = 0; ch < k.c; ch++) {
                double invStd = 1.0 / std::sqrt((double) v[ch] + eps), sumDy = 0, sumDyXhat = 0;
                for (int b = 0; b < k.n; b++)
                    for (int i = 0; i < k.hw; i++) {
                        int o = (b * k.c + ch) * k.hw + i;
                        sumDy += dy[o];
                        sumDyXhat += dy[o] * (x[o] - m[ch]) * invStd;
                    }
                edg[ch] = (float) sumDyXhat;
                edb[ch] = (float) sumDy;
                double gs = gamma[ch] * invStd;
                for (int b = 0; b < k.n; b++)
                    for (int i = 0; i < k.hw; i++) {
                        int o = (b * k.c + ch) * k.hw + i;
                        double xhat = (x[o] - m[ch]) * invStd;
                        edx[o] = batchStats ? (float) (gs * (dy[o] - sumDy / count - xhat * sumDyXhat / count))
                                            : (float) (gs * dy[o]);
                    }
            }
            Vec dx(total), dg(k.c), db(k.c);
            cuda_emu::launch(dim3(k.c), B256, bn_backward_reduce, k.n, k.c, k.hw, eps, x.data(), dy.data(), m.data(),
                             v.data(), dg.data(), db.data());
            cuda_emu::launch(linear(total), B256, bn_backward_data, k.n, k.c, k.hw, eps, batchStats, x.data(),
                             dy.data(), m.data(), v.data(), gamma.data(), dg.data(), db.data(), dx.data());
            std::string what = shape + (batchStats ? " batch statistics" : " running statistics");
            check("bn_backward_reduce dgamma " + what, edg, dg);
            check("bn_backward_reduce dbeta " + what, edb, db);
            check("bn_backward_data dx " + what, edx, dx);
        }
    }
}

// ---- dropout and optimisers -----------------------------------------------------------------

// DropoutHash.uniform, written as the Java does with 64-bit two's complement arithmetic.
static float ref_uniform(int64_t seed, int64_t index) {
    uint64_t z = (uint64_t) seed + ((uint64_t) index + 1) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z = z ^ (z >> 31);
    return (float) (z >> 40) * 0x1.0p-24f;
}

static bool bits_equal(const std::string& name, const Vec& expected, const Vec& actual) {
    cases++;
    for (size_t i = 0; i < expected.size(); i++) {
        if (__float_as_int(expected[i]) != __float_as_int(actual[i])) {
            std::printf("FAIL %s: element %zu expected %.9g got %.9g\n", name.c_str(), i, (double) expected[i],
                        (double) actual[i]);
            failures++;
            return false;
        }
    }
    std::printf("PASS %s (%zu values, bit for bit)\n", name.c_str(), expected.size());
    return true;
}

static void run_dropout(int64_t seed, float p, int n, const Vec& expected, const char* source) {
    float keep = p >= 1.0f ? 0.0f : 1.0f / (1.0f - p);
    Vec mask(n, NAN);
    cuda_emu::launch(linear(n), B256, dropout_mask, (long long) seed, p, keep, mask.data(), n);
    bits_equal(str("dropout_mask seed=%lld p=%g n=%d vs %s", (long long) seed, p, n, source), expected, mask);
}

static void test_dropout(const char* javaMasks) {
    for (int64_t seed : {(int64_t) 0, (int64_t) -7, (int64_t) 0x7FFFFFFFFFFFFFFFLL, (int64_t) 1234567890123LL}) {
        for (float p : {0.0f, 0.3f, 0.5f, 1.0f}) {
            int n = 1001;
            float keep = p >= 1.0f ? 0.0f : 1.0f / (1.0f - p);
            Vec e(n);
            for (int i = 0; i < n; i++) e[i] = ref_uniform(seed, i) < p ? 0.0f : keep;
            run_dropout(seed, p, n, e, "C++ DropoutHash");
        }
    }
    if (javaMasks == nullptr) return;
    std::ifstream in(javaMasks);
    if (!in) {
        std::printf("FAIL cannot read %s\n", javaMasks);
        failures++;
        return;
    }
    long long seed;
    float p;
    int n;
    while (in >> seed >> p >> n) {
        Vec e(n);
        for (int i = 0; i < n; i++) {
            int bits;
            in >> bits;
            e[i] = __int_as_float(bits);
        }
        run_dropout(seed, p, n, e, "Java DropoutHash");
    }
}

static void test_optimisers() {
    const int n = 301;
    struct Sgd { float lr, momentum, dampening, wd; int nesterov, first; };
    for (Sgd s : {Sgd{0.1f, 0.0f, 0.0f, 0.0f, 0, 1}, Sgd{0.05f, 0.9f, 0.0f, 1e-4f, 0, 1}, Sgd{0.05f, 0.9f, 0.1f, 1e-4f, 0, 0},
                  Sgd{0.01f, 0.8f, 0.0f, 0.01f, 1, 0}}) {
        Vec param = random(n, 700), grad = random(n, 701), buf = random(n, 702);
        Vec ep = param, eb = buf;
        for (int i = 0; i < n; i++) {  // OptimizerKernels.sgd
            float g = grad[i] + s.wd * ep[i];
            if (s.momentum != 0.0f) {
                float b = s.first ? g : s.momentum * eb[i] + (1.0f - s.dampening) * g;
                eb[i] = b;
                g = s.nesterov ? g + s.momentum * b : b;
            }
            ep[i] -= s.lr * g;
        }
        cuda_emu::launch(linear(n), B256, sgd_step, s.lr, s.momentum, s.dampening, s.wd, s.nesterov, s.first,
                         param.data(), grad.data(), buf.data(), n);
        std::string what = str("lr=%g momentum=%g dampening=%g wd=%g nesterov=%d first=%d", s.lr, s.momentum,
                               s.dampening, s.wd, s.nesterov, s.first);
        check("sgd_step param " + what, widen(ep), param, 1e-6);
        check("sgd_step buffer " + what, widen(eb), buf, 1e-6);
    }
    for (int step : {1, 7}) {
        float lr = 1e-3f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, wd = 0.01f;
        float bc1 = (float) (1 - std::pow((double) b1, step)), bc2 = (float) (1 - std::pow((double) b2, step));
        Vec param = random(n, 710), grad = random(n, 711), m = random(n, 712), v = random(n, 713, 0.0f, 0.01f);
        Vec ep = param, em = m, ev = v;
        float decay = 1.0f - lr * wd;
        for (int i = 0; i < n; i++) {  // OptimizerKernels.adamw
            float g = grad[i];
            ep[i] *= decay;
            em[i] = b1 * em[i] + (1.0f - b1) * g;
            ev[i] = b2 * ev[i] + (1.0f - b2) * g * g;
            float mHat = em[i] / bc1, vHat = ev[i] / bc2;
            ep[i] -= lr * mHat / ((float) std::sqrt((double) vHat) + eps);
        }
        cuda_emu::launch(linear(n), B256, adamw_step, lr, b1, b2, eps, decay, bc1, bc2, param.data(), grad.data(),
                         m.data(), v.data(), n);
        check(str("adamw_step param step=%d", step), widen(ep), param, 1e-6);
        check(str("adamw_step m step=%d", step), widen(em), m, 1e-6);
        check(str("adamw_step v step=%d", step), widen(ev), v, 1e-6);
    }
}

static void on_alarm(int) {
    static const char msg[] = "FAIL kernel test timed out (a __syncthreads() not reached by every thread?)\n";
    ssize_t ignored = write(1, msg, sizeof msg - 1);
    (void) ignored;
    _exit(3);
}

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    std::signal(SIGALRM, on_alarm);
    alarm(240);
    auto begin = std::chrono::steady_clock::now();
    test_elementwise();
    test_reductions();
    test_gemm();
    test_conv();
    test_pool();
    test_softmax();
    test_batch_norm();
    test_dropout(argc > 1 ? argv[1] : nullptr);
    test_optimisers();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    std::printf("%d cases, %d failed; %lld launches, %lld blocks emulated in %.1f s\n", cases, failures,
                (long long) cuda_emu::launches, (long long) cuda_emu::blocks_run, seconds);
    return failures == 0 ? 0 : 1;
}
