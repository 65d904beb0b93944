// Row softmax, log-softmax and cross-entropy: one block of RB threads per row.
// Shared by the CUDA and OpenCL backends; written against dialect.h (see README.md).

KERNEL void softmax_rows(int cols, int logMode, GLOBAL const float* x, GLOBAL float* y) {
    LOCAL float s[RB];
    int l = LID;
    GLOBAL const float* xr = x + (I64) GROUP_ID * cols;
    GLOBAL float* yr = y + (I64) GROUP_ID * cols;
    float m = NEG_INF_F;
    for (int c = l; c < cols; c += RB) m = max_nan(m, xr[c]);
    m = block_max(s, m);
    float sum = 0.0f;
    for (int c = l; c < cols; c += RB) sum += expf(xr[c] - m);
    sum = block_sum(s, sum);
    float logSum = logf(sum);
    for (int c = l; c < cols; c += RB) {
        float shifted = xr[c] - m;
        yr[c] = logMode ? shifted - logSum : expf(shifted) / sum;
    }
}

KERNEL void softmax_backward_rows(int cols, int logMode, GLOBAL const float* y, GLOBAL const float* dy,
                                  GLOBAL float* dx) {
    LOCAL float s[RB];
    int l = LID;
    I64 o = (I64) GROUP_ID * cols;
    float dot = 0.0f;
    for (int c = l; c < cols; c += RB) dot += logMode ? dy[o + c] : dy[o + c] * y[o + c];
    dot = block_sum(s, dot);
    for (int c = l; c < cols; c += RB) {
        dx[o + c] = logMode ? dy[o + c] - expf(y[o + c]) * dot : y[o + c] * (dy[o + c] - dot);
    }
}

// The class index stored as a float, or -1 when it is not an integer in [0, cols).
DEVICE int ce_label(float v, int cols) {
    return (v >= 0.0f && v < (float) cols && floorf(v) == v) ? (int) v : -1;
}

// Writes the probabilities and the row's loss; a row with an invalid label gets a NaN loss (the
// device cannot throw; the int[] overload of Losses.crossEntropy validates on the host).
KERNEL void cross_entropy_fwd(int cols, float smoothing, GLOBAL const float* logits, GLOBAL const float* labels,
                              GLOBAL float* probs, GLOBAL float* rowLoss) {
    LOCAL float s[RB];
    int l = LID;
    int r = GROUP_ID;
    GLOBAL const float* xr = logits + (I64) r * cols;
    GLOBAL float* pr = probs + (I64) r * cols;
    float m = NEG_INF_F;
    for (int c = l; c < cols; c += RB) m = max_nan(m, xr[c]);
    m = block_max(s, m);
    float sum = 0.0f;
    for (int c = l; c < cols; c += RB) sum += expf(xr[c] - m);
    float logSum = logf(block_sum(s, sum)) + m;
    float sumLogP = 0.0f;
    for (int c = l; c < cols; c += RB) {
        float logp = xr[c] - logSum;
        sumLogP += logp;
        pr[c] = expf(logp);
    }
    sumLogP = block_sum(s, sumLogP);
    if (l == 0) {
        int label = ce_label(labels[r], cols);
        float nll = label < 0 ? NAN_F : -(xr[label] - logSum);
        rowLoss[r] = (1.0f - smoothing) * nll - smoothing / cols * sumLogP;
    }
}

// dLogits[r, c] = dRowLoss[r] * (probs[r, c] - target[r, c]); one thread per element.
KERNEL void cross_entropy_bwd(int rows, int cols, float smoothing, GLOBAL const float* probs,
                              GLOBAL const float* labels, GLOBAL const float* dRowLoss, GLOBAL float* dLogits) {
    int i = GID;
    if (i >= rows * cols) return;
    int r = i / cols;
    int c = i - r * cols;
    int label = ce_label(labels[r], cols);
    float target = smoothing / cols + (c == label ? 1.0f - smoothing : 0.0f);
    dLogits[i] = label < 0 ? NAN_F : dRowLoss[r] * (probs[i] - target);
}
