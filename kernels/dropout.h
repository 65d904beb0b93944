// Inverted-dropout masks.
// Shared by the CUDA and OpenCL backends; written against dialect.h (see README.md).

// Bit-identical to dev.fineturn.spi.DropoutHash: splitmix64 of (seed, i) in 64-bit unsigned
// arithmetic, top 24 bits scaled by 2^-24.
DEVICE float dropout_uniform(U64 seed, U64 index) {
    U64 z = seed + (index + U64_C(1)) * U64_C(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)) * U64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * U64_C(0x94D049BB133111EB);
    z = z ^ (z >> 31);
    return (float) (z >> 40) * (1.0f / 16777216.0f);
}

// keep = 1 / (1 - p), or 0 when p >= 1, computed on the host as the reference does.
KERNEL void dropout_mask(I64 seed, float p, float keep, GLOBAL float* mask, int n) {
    int i = GID;
    if (i >= n) return;
    mask[i] = dropout_uniform((U64) seed, (U64) i) < p ? 0.0f : keep;
}
