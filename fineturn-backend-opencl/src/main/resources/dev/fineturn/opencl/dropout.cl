// Inverted-dropout mask, bit-identical to dev.fineturn.spi.DropoutHash: splitmix64 of (seed, i) in
// 64-bit unsigned arithmetic, top 24 bits scaled by 2^-24.
float dropout_uniform(ulong seed, ulong index) {
    ulong z = seed + (index + 1UL) * 0x9E3779B97F4A7C15UL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
    z = z ^ (z >> 31);
    return (float) (z >> 40) * (1.0f / 16777216.0f);
}

// keep = 1 / (1 - p), or 0 when p >= 1, computed on the host as the reference does.
__kernel void dropout_mask(long seed, float p, float keep, __global float* mask, int n) {
    int i = get_global_id(0);
    if (i >= n) return;
    mask[i] = dropout_uniform((ulong) seed, (ulong) i) < p ? 0.0f : keep;
}
