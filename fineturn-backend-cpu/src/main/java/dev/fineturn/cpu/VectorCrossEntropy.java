package dev.fineturn.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Cross-entropy fused with log-softmax, with label smoothing; one row per sample. */
final class VectorCrossEntropy {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorCrossEntropy() {
    }

    static void forward(int rows, int cols, float smoothing, float[] logits, float[] labels, float[] probs,
                        float[] rowLoss) {
        int per = VectorSoftmax.rowsPerTask(rows, cols);
        CpuPool.parallelFor((rows + per - 1) / per, t -> {
            for (int r = t * per; r < Math.min(rows, (t + 1) * per); r++) {
                int o = r * cols;
                int label = label(labels[r], cols, r);
                float max = VectorSums.max(logits, o, cols);
                double sumExp = VectorSoftmax.expShiftedInto(logits, o, cols, max, probs, o);
                double logSumExp = Math.log(sumExp);
                double sumLogP = VectorSums.sumDeviations(logits, o, cols, max) - cols * logSumExp;
                double nll = logSumExp - ((double) logits[o + label] - max);
                rowLoss[r] = (float) ((1 - smoothing) * nll - smoothing / cols * sumLogP);
                VectorSoftmax.scale(probs, o, cols, (float) (1.0 / sumExp));
            }
        });
    }

    /** dLogits[r] = dRowLoss[r] * (probs[r] - target[r]); the same float operations as the reference. */
    static void backward(int rows, int cols, float smoothing, float[] probs, float[] labels, float[] dRowLoss,
                         float[] dLogits) {
        float off = smoothing / cols;
        float onLabel = off + (1f - smoothing);
        int per = VectorSoftmax.rowsPerTask(rows, cols);
        CpuPool.parallelFor((rows + per - 1) / per, t -> {
            for (int r = t * per; r < Math.min(rows, (t + 1) * per); r++) {
                int o = r * cols;
                int label = label(labels[r], cols, r);
                float d = dRowLoss[r];
                int bound = S.loopBound(cols);
                int i = 0;
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, probs, o + i).sub(off).mul(d).intoArray(dLogits, o + i);
                }
                for (; i < cols; i++) {
                    dLogits[o + i] = d * (probs[o + i] - off);
                }
                dLogits[o + label] = d * (probs[o + label] - onLabel);
            }
        });
    }

    private static int label(float value, int classes, int row) {
        int label = (int) value;
        if (label != value || label < 0 || label >= classes) {
            throw new IllegalArgumentException("cross_entropy: label " + value + " at row " + row
                    + " is outside [0, " + classes + ")");
        }
        return label;
    }
}
