package dev.fineturn.reference;

/** Row softmax, log-softmax and cross-entropy with label smoothing. */
public final class SoftmaxKernels {
    private SoftmaxKernels() {
    }

    public static void softmax(int rows, int cols, boolean log, float[] x, float[] y) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, x[o + c]);
            }
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                sum += Math.exp(x[o + c] - max);
            }
            double logSum = Math.log(sum);
            for (int c = 0; c < cols; c++) {
                double shifted = x[o + c] - max;
                y[o + c] = (float) (log ? shifted - logSum : Math.exp(shifted) / sum);
            }
        }
    }

    public static void softmaxBackward(int rows, int cols, boolean log, float[] y, float[] dy, float[] dx) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            double dot = 0;
            for (int c = 0; c < cols; c++) {
                dot += log ? dy[o + c] : (double) dy[o + c] * y[o + c];
            }
            for (int c = 0; c < cols; c++) {
                dx[o + c] = log
                        ? (float) (dy[o + c] - Math.exp(y[o + c]) * dot)
                        : (float) (y[o + c] * (dy[o + c] - dot));
            }
        }
    }

    public static void crossEntropyForward(int rows, int cols, float smoothing, float[] logits, float[] labels,
                                           float[] probs, float[] rowLoss) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            int label = label(labels[r], cols, r);
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, logits[o + c]);
            }
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                sum += Math.exp(logits[o + c] - max);
            }
            double logSum = Math.log(sum) + max;
            double sumLogP = 0;
            for (int c = 0; c < cols; c++) {
                double logp = logits[o + c] - logSum;
                sumLogP += logp;
                probs[o + c] = (float) Math.exp(logp);
            }
            double nll = -(logits[o + label] - logSum);
            rowLoss[r] = (float) ((1 - smoothing) * nll - smoothing / cols * sumLogP);
        }
    }

    public static void crossEntropyBackward(int rows, int cols, float smoothing, float[] probs, float[] labels,
                                            float[] dRowLoss, float[] dLogits) {
        float off = smoothing / cols;
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            int label = label(labels[r], cols, r);
            float d = dRowLoss[r];
            for (int c = 0; c < cols; c++) {
                float target = off + (c == label ? 1f - smoothing : 0f);
                dLogits[o + c] = d * (probs[o + c] - target);
            }
        }
    }

    static int label(float value, int classes, int row) {
        int label = (int) value;
        if (label != value || label < 0 || label >= classes) {
            throw new IllegalArgumentException("cross_entropy: label " + value + " at row " + row
                    + " is outside [0, " + classes + ")");
        }
        return label;
    }
}
