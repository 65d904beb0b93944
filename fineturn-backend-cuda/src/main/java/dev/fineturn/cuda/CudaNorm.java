package dev.fineturn.cuda;

import dev.fineturn.spi.Storage;

import static dev.fineturn.cuda.CudaLauncher.checkedInt;

/** Batch normalisation: per-channel block reductions, then per-element kernels. */
final class CudaNorm {
    private CudaNorm() {
    }

    static void statistics(CudaLauncher k, int n, int c, int hw, Storage x, Storage mean, Storage var) {
        if (c == 0) {
            return;
        }
        size(n, c, hw);
        k.launch("bn_statistics", LaunchShape.perItem(c, LaunchShape.THREADS), n, c, hw, x, mean, var);
    }

    static void forward(CudaLauncher k, int n, int c, int hw, float eps, Storage x, Storage mean, Storage var,
                        Storage gamma, Storage beta, Storage y) {
        int total = size(n, c, hw);
        if (total == 0) {
            return;
        }
        k.launch("bn_forward", LaunchShape.linear(total), n, c, hw, eps, x, mean, var, gamma, beta, y);
    }

    /** The reduction writes dgamma and dbeta, which the per-element kernel then reads. */
    static void backward(CudaLauncher k, int n, int c, int hw, float eps, boolean batchStatistics, Storage x,
                         Storage dy, Storage mean, Storage var, Storage gamma, Storage dx, Storage dgamma,
                         Storage dbeta) {
        if (c == 0) {
            return;
        }
        int total = size(n, c, hw);
        k.launch("bn_backward_reduce", LaunchShape.perItem(c, LaunchShape.THREADS), n, c, hw, eps, x, dy, mean, var,
                dgamma, dbeta);
        if (total > 0) {
            k.launch("bn_backward_data", LaunchShape.linear(total), n, c, hw, eps, batchStatistics ? 1 : 0, x, dy, mean,
                    var, gamma, dgamma, dbeta, dx);
        }
    }

    private static int size(int n, int c, int hw) {
        return checkedInt((long) n * c * hw, "element count");
    }
}
