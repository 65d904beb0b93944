// Block reductions in a fixed tree (results do not depend on scheduling) and the sum-reduce kernels.
// Shared by the CUDA and OpenCL backends; written against dialect.h (see README.md).

// Sum over the block in a fixed tree, so results do not depend on scheduling. s holds RB floats.
DEVICE float block_sum(LOCAL_PTR float* s, float v) {
    int l = LID;
    s[l] = v;
    BARRIER();
    for (int h = RB / 2; h > 0; h >>= 1) {
        if (l < h) s[l] += s[l + h];
        BARRIER();
    }
    float r = s[0];
    BARRIER();
    return r;
}

// Maximum that propagates NaN, like Java's Math.max.
DEVICE float max_nan(float a, float b) {
    return (isnan(a) || a > b) ? a : b;
}

DEVICE float block_max(LOCAL_PTR float* s, float v) {
    int l = LID;
    s[l] = v;
    BARRIER();
    for (int h = RB / 2; h > 0; h >>= 1) {
        if (l < h) s[l] = max_nan(s[l], s[l + h]);
        BARRIER();
    }
    float r = s[0];
    BARRIER();
    return r;
}

// Offset in the input of output element o and reduced element r. Dimensions are collapsed on the
// host: kept[d] is the output extent (1 where reduced), red[d] the reduced extent (1 where kept).
DEVICE int reduce_offset(int rank, CONST_REF(Dims) kept, CONST_REF(Dims) red, CONST_REF(Dims) strides, int o,
                         int r) {
    int off = 0;
    for (int d = rank - 1; d >= 0; d--) {
        off += (o % kept.v[d] + r % red.v[d]) * strides.v[d];
        o /= kept.v[d];
        r /= red.v[d];
    }
    return off;
}

// One thread per output element; for few reduced elements per output.
KERNEL void sum_reduce_serial(int rank, Dims kept, Dims red, Dims strides, GLOBAL const float* in,
                              GLOBAL float* out, int outSize, int count) {
    int o = GID;
    if (o >= outSize) return;
    float acc = 0.0f;
    for (int r = 0; r < count; r++) acc += in[reduce_offset(rank, kept, red, strides, o, r)];
    out[o] = acc;
}

// One block of RB per output element.
KERNEL void sum_reduce_block(int rank, Dims kept, Dims red, Dims strides, GLOBAL const float* in, GLOBAL float* out,
                             int count) {
    LOCAL float s[RB];
    int o = GROUP_ID;
    float acc = 0.0f;
    for (int r = LID; r < count; r += RB) acc += in[reduce_offset(rank, kept, red, strides, o, r)];
    float total = block_sum(s, acc);
    if (LID == 0) out[o] = total;
}

// out[i] = sum over s of parts[s * n + i], in order of s.
KERNEL void sum_partials(GLOBAL const float* parts, int splits, GLOBAL float* out, int n) {
    int i = GID;
    if (i >= n) return;
    float acc = 0.0f;
    for (int s = 0; s < splits; s++) acc += parts[s * n + i];
    out[i] = acc;
}
