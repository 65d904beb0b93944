// Batch normalisation over NCHW data seen as [n, c, hw].
// Shared by the CUDA and OpenCL backends; written against dialect.h (see README.md).

// Per-channel reductions run one block of RB per channel; per-element kernels one thread each.

// Element i of channel ch's n * hw values.
#define BN_AT(i, c, hw, ch) (((i) / (hw) * (c) + (ch)) * (hw) + (i) % (hw))

// Two passes, like the reference: the mean, then the biased variance around it.
KERNEL void bn_statistics(int n, int c, int hw, GLOBAL const float* x, GLOBAL float* mean, GLOBAL float* var) {
    LOCAL float s[RB];
    int ch = GROUP_ID;
    int count = n * hw;
    float sum = 0.0f;
    for (int i = LID; i < count; i += RB) sum += x[BN_AT(i, c, hw, ch)];
    float mu = block_sum(s, sum) / (float) count;
    float sq = 0.0f;
    for (int i = LID; i < count; i += RB) {
        float d = x[BN_AT(i, c, hw, ch)] - mu;
        sq += d * d;
    }
    sq = block_sum(s, sq);
    if (LID == 0) {
        mean[ch] = mu;
        var[ch] = sq / (float) count;
    }
}

KERNEL void bn_forward(int n, int c, int hw, float eps, GLOBAL const float* x, GLOBAL const float* mean,
                       GLOBAL const float* var, GLOBAL const float* gamma, GLOBAL const float* beta,
                       GLOBAL float* y) {
    int i = GID;
    if (i >= n * c * hw) return;
    int ch = (i / hw) % c;
    float scale = gamma[ch] / sqrtf(var[ch] + eps);
    y[i] = (x[i] - mean[ch]) * scale + beta[ch];
}

// dgamma = sum(dy * xhat), dbeta = sum(dy) per channel.
KERNEL void bn_backward_reduce(int n, int c, int hw, float eps, GLOBAL const float* x, GLOBAL const float* dy,
                               GLOBAL const float* mean, GLOBAL const float* var, GLOBAL float* dgamma,
                               GLOBAL float* dbeta) {
    LOCAL float s[RB];
    int ch = GROUP_ID;
    int count = n * hw;
    float mu = mean[ch];
    float invStd = 1.0f / sqrtf(var[ch] + eps);
    float sumDy = 0.0f;
    float sumDyXhat = 0.0f;
    for (int i = LID; i < count; i += RB) {
        int at = BN_AT(i, c, hw, ch);
        sumDy += dy[at];
        sumDyXhat += dy[at] * (x[at] - mu) * invStd;
    }
    sumDy = block_sum(s, sumDy);
    sumDyXhat = block_sum(s, sumDyXhat);
    if (LID == 0) {
        dgamma[ch] = sumDyXhat;
        dbeta[ch] = sumDy;
    }
}

// dx from the reduced sums; with batchStatistics the mean and variance depend on x.
KERNEL void bn_backward_data(int n, int c, int hw, float eps, int batchStatistics, GLOBAL const float* x,
                             GLOBAL const float* dy, GLOBAL const float* mean, GLOBAL const float* var,
                             GLOBAL const float* gamma, GLOBAL const float* dgamma, GLOBAL const float* dbeta,
                             GLOBAL float* dx) {
    int i = GID;
    if (i >= n * c * hw) return;
    int ch = (i / hw) % c;
    float invStd = 1.0f / sqrtf(var[ch] + eps);
    float g = gamma[ch] * invStd;
    if (batchStatistics) {
        float count = (float) (n * hw);
        float xhat = (x[i] - mean[ch]) * invStd;
        dx[i] = g * (dy[i] - dbeta[ch] / count - xhat * dgamma[ch] / count);
    } else {
        dx[i] = g * dy[i];
    }
}
