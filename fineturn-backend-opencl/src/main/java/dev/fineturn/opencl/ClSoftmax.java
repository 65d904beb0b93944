package dev.fineturn.opencl;

import dev.fineturn.spi.Storage;

/** Row softmax, log-softmax and cross-entropy: one work-group per row. */
final class ClSoftmax {
    private ClSoftmax() {
    }

    static void forward(ClLauncher b, int rows, int cols, boolean log, Storage x, Storage y) {
        if (rows == 0 || cols == 0) {
            return;
        }
        checkSize(rows, cols);
        b.launch("softmax_rows", ClRange.perItem(rows, ClRange.RB), cols, log ? 1 : 0, x, y);
    }

    static void backward(ClLauncher b, int rows, int cols, boolean log, Storage y, Storage dy, Storage dx) {
        if (rows == 0 || cols == 0) {
            return;
        }
        checkSize(rows, cols);
        b.launch("softmax_backward_rows", ClRange.perItem(rows, ClRange.RB), cols, log ? 1 : 0,
                y, dy, dx);
    }

    static void crossEntropyForward(ClLauncher b, int rows, int cols, float smoothing, Storage logits,
                                    Storage labels, Storage probs, Storage rowLoss) {
        if (rows == 0) {
            return;
        }
        checkSize(rows, cols);
        b.launch("cross_entropy_fwd", ClRange.perItem(rows, ClRange.RB), cols, smoothing, logits,
                labels, probs, rowLoss);
    }

    static void crossEntropyBackward(ClLauncher b, int rows, int cols, float smoothing, Storage probs,
                                     Storage labels, Storage dRowLoss, Storage dLogits) {
        if (rows == 0 || cols == 0) {
            return;
        }
        int n = checkSize(rows, cols);
        b.launch("cross_entropy_bwd", ClRange.linear(n), rows, cols, smoothing, probs, labels, dRowLoss,
                dLogits);
    }

    private static int checkSize(int rows, int cols) {
        return ClLauncher.checkedInt((long) rows * cols, "element count");
    }
}
