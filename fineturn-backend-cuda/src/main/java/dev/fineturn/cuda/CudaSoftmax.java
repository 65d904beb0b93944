package dev.fineturn.cuda;

import dev.fineturn.spi.Storage;

import static dev.fineturn.cuda.CudaLauncher.checkedInt;

/** Row softmax, log-softmax and cross-entropy: one block of 256 threads per row. */
final class CudaSoftmax {
    private CudaSoftmax() {
    }

    static void forward(CudaLauncher k, int rows, int cols, boolean log, Storage x, Storage y) {
        if (rows == 0 || cols == 0) {
            return;
        }
        checkSize(rows, cols);
        k.launch("softmax_rows", LaunchShape.perItem(rows, LaunchShape.THREADS), cols, log ? 1 : 0, x, y);
    }

    static void backward(CudaLauncher k, int rows, int cols, boolean log, Storage y, Storage dy, Storage dx) {
        if (rows == 0 || cols == 0) {
            return;
        }
        checkSize(rows, cols);
        k.launch("softmax_backward_rows", LaunchShape.perItem(rows, LaunchShape.THREADS), cols, log ? 1 : 0, y, dy,
                dx);
    }

    static void crossEntropyForward(CudaLauncher k, int rows, int cols, float smoothing, Storage logits,
                                    Storage labels, Storage probs, Storage rowLoss) {
        if (rows == 0) {
            return;
        }
        checkSize(rows, cols);
        k.launch("cross_entropy_fwd", LaunchShape.perItem(rows, LaunchShape.THREADS), cols, smoothing, logits, labels,
                probs, rowLoss);
    }

    static void crossEntropyBackward(CudaLauncher k, int rows, int cols, float smoothing, Storage probs,
                                     Storage labels, Storage dRowLoss, Storage dLogits) {
        if (rows == 0 || cols == 0) {
            return;
        }
        int n = checkSize(rows, cols);
        k.launch("cross_entropy_bwd", LaunchShape.linear(n), rows, cols, smoothing, probs, labels, dRowLoss, dLogits);
    }

    private static int checkSize(int rows, int cols) {
        return checkedInt((long) rows * cols, "element count");
    }
}
