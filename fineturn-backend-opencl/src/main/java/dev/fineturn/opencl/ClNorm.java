package dev.fineturn.opencl;

import dev.fineturn.spi.Storage;

/** Batch normalisation: per-channel work-group reductions, then per-element kernels. */
final class ClNorm {
    private ClNorm() {
    }

    static void statistics(ClLauncher b, int n, int c, int hw, Storage x, Storage mean, Storage var) {
        if (c == 0) {
            return;
        }
        size(n, c, hw);
        b.launch("bn_statistics", ClRange.perItem(c, ClRange.RB), n, c, hw, x, mean, var);
    }

    static void forward(ClLauncher b, int n, int c, int hw, float eps, Storage x, Storage mean, Storage var,
                        Storage gamma, Storage beta, Storage y) {
        int total = size(n, c, hw);
        if (total == 0) {
            return;
        }
        b.launch("bn_forward", ClRange.linear(total), n, c, hw, eps, x, mean, var, gamma, beta, y);
    }

    /** The reduction writes dgamma and dbeta, which the per-element kernel then reads. */
    static void backward(ClLauncher b, int n, int c, int hw, float eps, boolean batchStatistics, Storage x,
                         Storage dy, Storage mean, Storage var, Storage gamma, Storage dx, Storage dgamma,
                         Storage dbeta) {
        if (c == 0) {
            return;
        }
        int total = size(n, c, hw);
        b.launch("bn_backward_reduce", ClRange.perItem(c, ClRange.RB), n, c, hw, eps, x, dy, mean,
                var, dgamma, dbeta);
        if (total > 0) {
            b.launch("bn_backward_data", ClRange.linear(total), n, c, hw, eps, batchStatistics ? 1 : 0, x,
                    dy, mean, var, gamma, dgamma, dbeta, dx);
        }
    }

    private static int size(int n, int c, int hw) {
        return ClLauncher.checkedInt((long) n * c * hw, "element count");
    }
}
