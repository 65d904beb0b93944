// Work-group reductions (fixed tree, so results are deterministic) and the sum-reduce kernels.
// Kernels that use wg_sum/wg_max run with a local size of exactly WG.
#define WG 64

float wg_sum(__local float* s, float v) {
    int l = get_local_id(0);
    s[l] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int h = WG / 2; h > 0; h >>= 1) {
        if (l < h) s[l] += s[l + h];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float r = s[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

// Maximum that propagates NaN, like Java's Math.max.
float max_nan(float a, float b) {
    return (isnan(a) || a > b) ? a : b;
}

float wg_max(__local float* s, float v) {
    int l = get_local_id(0);
    s[l] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int h = WG / 2; h > 0; h >>= 1) {
        if (l < h) s[l] = max_nan(s[l], s[l + h]);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float r = s[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

// Offset in the input of output element o and reduced element r. Dimensions are collapsed on the
// host: kept[d] is the output extent (1 where reduced), red[d] the reduced extent (1 where kept).
int reduce_offset(int rank, int8 kept, int8 red, int8 strides, int o, int r) {
    int k[8] = {kept.s0, kept.s1, kept.s2, kept.s3, kept.s4, kept.s5, kept.s6, kept.s7};
    int q[8] = {red.s0, red.s1, red.s2, red.s3, red.s4, red.s5, red.s6, red.s7};
    int s[8] = {strides.s0, strides.s1, strides.s2, strides.s3, strides.s4, strides.s5, strides.s6, strides.s7};
    int off = 0;
    for (int d = rank - 1; d >= 0; d--) {
        off += (o % k[d] + r % q[d]) * s[d];
        o /= k[d];
        r /= q[d];
    }
    return off;
}

// One work-item per output element; for few reduced elements per output.
__kernel void sum_reduce_serial(int rank, int8 kept, int8 red, int8 strides, __global const float* in,
                                __global float* out, int outSize, int count) {
    int o = get_global_id(0);
    if (o >= outSize) return;
    float acc = 0.0f;
    for (int r = 0; r < count; r++) acc += in[reduce_offset(rank, kept, red, strides, o, r)];
    out[o] = acc;
}

// One work-group per output element.
__kernel void sum_reduce_group(int rank, int8 kept, int8 red, int8 strides, __global const float* in,
                               __global float* out, int count) {
    __local float s[WG];
    int o = get_group_id(0);
    float acc = 0.0f;
    for (int r = get_local_id(0); r < count; r += WG) acc += in[reduce_offset(rank, kept, red, strides, o, r)];
    float total = wg_sum(s, acc);
    if (get_local_id(0) == 0) out[o] = total;
}

// out[i] = sum over s of parts[s * n + i], in order of s.
__kernel void sum_partials(__global const float* parts, int splits, __global float* out, int n) {
    int i = get_global_id(0);
    if (i >= n) return;
    float acc = 0.0f;
    for (int s = 0; s < splits; s++) acc += parts[s * n + i];
    out[i] = acc;
}
