// Row softmax, log-softmax and cross-entropy; one work-group of WG per row.

__kernel void softmax_rows(int cols, int logMode, __global const float* x, __global float* y) {
    __local float s[WG];
    int l = get_local_id(0);
    __global const float* xr = x + get_group_id(0) * cols;
    __global float* yr = y + get_group_id(0) * cols;
    float m = -INFINITY;
    for (int c = l; c < cols; c += WG) m = max_nan(m, xr[c]);
    m = wg_max(s, m);
    float sum = 0.0f;
    for (int c = l; c < cols; c += WG) sum += exp(xr[c] - m);
    sum = wg_sum(s, sum);
    float logSum = log(sum);
    for (int c = l; c < cols; c += WG) {
        float shifted = xr[c] - m;
        yr[c] = logMode ? shifted - logSum : exp(shifted) / sum;
    }
}

__kernel void softmax_backward_rows(int cols, int logMode, __global const float* y, __global const float* dy,
                                    __global float* dx) {
    __local float s[WG];
    int l = get_local_id(0);
    int o = get_group_id(0) * cols;
    float dot = 0.0f;
    for (int c = l; c < cols; c += WG) dot += logMode ? dy[o + c] : dy[o + c] * y[o + c];
    dot = wg_sum(s, dot);
    for (int c = l; c < cols; c += WG) {
        dx[o + c] = logMode ? dy[o + c] - exp(y[o + c]) * dot : y[o + c] * (dy[o + c] - dot);
    }
}

// The class index stored as a float, or -1 when it is not an integer in [0, cols).
int ce_label(float v, int cols) {
    return (v >= 0.0f && v < (float) cols && floor(v) == v) ? (int) v : -1;
}

// Writes the probabilities and the row's loss; a row with an invalid label gets a NaN loss (the
// device cannot throw; the int[] overload of Losses.crossEntropy validates on the host).
__kernel void cross_entropy_fwd(int cols, float smoothing, __global const float* logits,
                                __global const float* labels, __global float* probs, __global float* rowLoss) {
    __local float s[WG];
    int l = get_local_id(0);
    int r = get_group_id(0);
    __global const float* xr = logits + r * cols;
    __global float* pr = probs + r * cols;
    float m = -INFINITY;
    for (int c = l; c < cols; c += WG) m = max_nan(m, xr[c]);
    m = wg_max(s, m);
    float sum = 0.0f;
    for (int c = l; c < cols; c += WG) sum += exp(xr[c] - m);
    float logSum = log(wg_sum(s, sum)) + m;
    float sumLogP = 0.0f;
    for (int c = l; c < cols; c += WG) {
        float logp = xr[c] - logSum;
        sumLogP += logp;
        pr[c] = exp(logp);
    }
    sumLogP = wg_sum(s, sumLogP);
    if (l == 0) {
        int label = ce_label(labels[r], cols);
        float nll = label < 0 ? NAN : -(xr[label] - logSum);
        rowLoss[r] = (1.0f - smoothing) * nll - smoothing / cols * sumLogP;
    }
}

// dLogits[r, c] = dRowLoss[r] * (probs[r, c] - target[r, c]); one work-item per element.
__kernel void cross_entropy_bwd(int rows, int cols, float smoothing, __global const float* probs,
                                __global const float* labels, __global const float* dRowLoss,
                                __global float* dLogits) {
    int i = get_global_id(0);
    if (i >= rows * cols) return;
    int r = i / cols;
    int c = i - r * cols;
    int label = ce_label(labels[r], cols);
    float target = smoothing / cols + (c == label ? 1.0f - smoothing : 0.0f);
    dLogits[i] = label < 0 ? NAN : dRowLoss[r] * (probs[i] - target);
}
