package dev.fineturn.ops;

import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.Autograd;
import dev.fineturn.tensor.Shape;
import dev.fineturn.tensor.Tensor;

/** Loss functions; mean reduction over the batch, as PyTorch's default. */
public final class Losses {
    private Losses() {
    }

    /** Cross-entropy of [N, C] logits against class labels, with host-side label validation. */
    public static Tensor crossEntropy(Tensor logits, int[] labels, float labelSmoothing) {
        Checks.rank("cross_entropy", "logits", logits, 2);
        int classes = logits.dim(1);
        float[] asFloat = new float[labels.length];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("cross_entropy: label " + labels[i] + " at index " + i
                        + " is outside [0, " + classes + ") for logits " + Shape.str(logits.shape()));
            }
            asFloat[i] = labels[i];
        }
        return crossEntropy(logits, Tensor.of(logits.backend(), asFloat, labels.length), labelSmoothing);
    }

    /**
     * Cross-entropy fused with log-softmax. {@code labels} is an [N] tensor of class indices stored
     * as floats on the logits' backend, so a training step needs no host transfer.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor labels, float labelSmoothing) {
        Backend b = Checks.sameBackend("cross_entropy", logits, labels);
        Checks.rank("cross_entropy", "logits", logits, 2);
        Checks.rank("cross_entropy", "labels", labels, 1);
        int rows = logits.dim(0);
        int cols = logits.dim(1);
        if (labels.dim(0) != rows) {
            throw new IllegalArgumentException("cross_entropy: " + labels.dim(0) + " labels for logits "
                    + Shape.str(logits.shape()));
        }
        if (labelSmoothing < 0f || labelSmoothing >= 1f) {
            throw new IllegalArgumentException("cross_entropy: label smoothing " + labelSmoothing
                    + " must be in [0, 1)");
        }
        Tensor xd = logits.contiguous();
        Tensor ld = labels.contiguous();
        Tensor probs = Tensor.zeros(b, rows, cols);
        Tensor rowLoss = Tensor.zeros(b, rows);
        b.crossEntropyForward(rows, cols, labelSmoothing, xd.storage(), ld.storage(), probs.storage(),
                rowLoss.storage());
        Tensor loss;
        try (var scope = dev.fineturn.tensor.GradMode.noGrad()) {
            loss = Reductions.mean(rowLoss);
        }
        if (Autograd.isRecording(xd)) {
            Autograd.record(loss, "cross_entropy", g -> {
                Tensor dRow = Arithmetic.affine(g.reshape(1).expand(rows).contiguous(), 1f / rows, 0f);
                Tensor dx = Tensor.zeros(b, rows, cols);
                b.crossEntropyBackward(rows, cols, labelSmoothing, probs.storage(), ld.storage(), dRow.storage(),
                        dx.storage());
                return new Tensor[]{dx};
            }, xd);
        }
        return loss;
    }
}
