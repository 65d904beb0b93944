// Batch normalisation over NCHW data seen as [n, c, hw]. Per-channel reductions run one work-group
// of WG per channel; per-element kernels one work-item per element.

// Element i of channel ch's n * hw values.
#define BN_AT(i, c, hw, ch) (((i) / (hw) * (c) + (ch)) * (hw) + (i) % (hw))

// Two passes, like the reference: the mean, then the biased variance around it.
__kernel void bn_statistics(int n, int c, int hw, __global const float* x, __global float* mean,
                            __global float* var) {
    __local float s[WG];
    int ch = get_group_id(0);
    int count = n * hw;
    float sum = 0.0f;
    for (int i = get_local_id(0); i < count; i += WG) sum += x[BN_AT(i, c, hw, ch)];
    float mu = wg_sum(s, sum) / (float) count;
    float sq = 0.0f;
    for (int i = get_local_id(0); i < count; i += WG) {
        float d = x[BN_AT(i, c, hw, ch)] - mu;
        sq += d * d;
    }
    sq = wg_sum(s, sq);
    if (get_local_id(0) == 0) {
        mean[ch] = mu;
        var[ch] = sq / (float) count;
    }
}

__kernel void bn_forward(int n, int c, int hw, float eps, __global const float* x, __global const float* mean,
                         __global const float* var, __global const float* gamma, __global const float* beta,
                         __global float* y) {
    int i = get_global_id(0);
    if (i >= n * c * hw) return;
    int ch = (i / hw) % c;
    float scale = gamma[ch] / sqrt(var[ch] + eps);
    y[i] = (x[i] - mean[ch]) * scale + beta[ch];
}

// dgamma = sum(dy * xhat), dbeta = sum(dy) per channel.
__kernel void bn_backward_reduce(int n, int c, int hw, float eps, __global const float* x,
                                 __global const float* dy, __global const float* mean, __global const float* var,
                                 __global float* dgamma, __global float* dbeta) {
    __local float s[WG];
    int ch = get_group_id(0);
    int count = n * hw;
    float mu = mean[ch];
    float invStd = 1.0f / sqrt(var[ch] + eps);
    float sumDy = 0.0f;
    float sumDyXhat = 0.0f;
    for (int i = get_local_id(0); i < count; i += WG) {
        int at = BN_AT(i, c, hw, ch);
        sumDy += dy[at];
        sumDyXhat += dy[at] * (x[at] - mu) * invStd;
    }
    sumDy = wg_sum(s, sumDy);
    sumDyXhat = wg_sum(s, sumDyXhat);
    if (get_local_id(0) == 0) {
        dgamma[ch] = sumDyXhat;
        dbeta[ch] = sumDy;
    }
}

// dx from the reduced sums; with batchStatistics the mean and variance depend on x.
__kernel void bn_backward_data(int n, int c, int hw, float eps, int batchStatistics, __global const float* x,
                               __global const float* dy, __global const float* mean, __global const float* var,
                               __global const float* gamma, __global const float* dgamma,
                               __global const float* dbeta, __global float* dx) {
    int i = get_global_id(0);
    if (i >= n * c * hw) return;
    int ch = (i / hw) % c;
    float invStd = 1.0f / sqrt(var[ch] + eps);
    float g = gamma[ch] * invStd;
    if (batchStatistics) {
        float count = (float) (n * hw);
        float xhat = (x[i] - mean[ch]) * invStd;
        dx[i] = g * (dy[i] - dbeta[ch] / count - xhat * dgamma[ch] / count);
    } else {
        dx[i] = g * dy[i];
    }
}
