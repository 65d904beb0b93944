package dev.fineturn.opencl;

import dev.fineturn.spi.Storage;

/** Row softmax, log-softmax and cross-entropy: one work-group per row. */
final class ClSoftmax {
    private static final long[] LOCAL = {OpenClBackend.RB};

    private ClSoftmax() {
    }

    static void forward(OpenClBackend b, int rows, int cols, boolean log, Storage x, Storage y) {
        if (rows == 0 || cols == 0) {
            return;
        }
        checkSize(rows, cols);
        b.launch("softmax_rows", OpenClBackend.groups(rows, OpenClBackend.RB), LOCAL, cols, log ? 1 : 0, x, y);
    }

    static void backward(OpenClBackend b, int rows, int cols, boolean log, Storage y, Storage dy, Storage dx) {
        if (rows == 0 || cols == 0) {
            return;
        }
        checkSize(rows, cols);
        b.launch("softmax_backward_rows", OpenClBackend.groups(rows, OpenClBackend.RB), LOCAL, cols, log ? 1 : 0,
                y, dy, dx);
    }

    static void crossEntropyForward(OpenClBackend b, int rows, int cols, float smoothing, Storage logits,
                                    Storage labels, Storage probs, Storage rowLoss) {
        if (rows == 0) {
            return;
        }
        checkSize(rows, cols);
        b.launch("cross_entropy_fwd", OpenClBackend.groups(rows, OpenClBackend.RB), LOCAL, cols, smoothing, logits,
                labels, probs, rowLoss);
    }

    static void crossEntropyBackward(OpenClBackend b, int rows, int cols, float smoothing, Storage probs,
                                     Storage labels, Storage dRowLoss, Storage dLogits) {
        if (rows == 0 || cols == 0) {
            return;
        }
        int n = checkSize(rows, cols);
        b.launch("cross_entropy_bwd", OpenClBackend.grid(n), null, rows, cols, smoothing, probs, labels, dRowLoss,
                dLogits);
    }

    private static int checkSize(int rows, int cols) {
        return OpenClBackend.checkedInt((long) rows * cols, "element count");
    }
}
