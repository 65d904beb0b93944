package dev.fineturn.opencl;

import dev.fineturn.spi.Storage;

/** Batch normalisation: per-channel work-group reductions, then per-element kernels. */
final class ClNorm {
    private static final long[] LOCAL = {OpenClBackend.RB};

    private ClNorm() {
    }

    static void statistics(OpenClBackend b, int n, int c, int hw, Storage x, Storage mean, Storage var) {
        if (c == 0) {
            return;
        }
        size(n, c, hw);
        b.launch("bn_statistics", OpenClBackend.groups(c, OpenClBackend.RB), LOCAL, n, c, hw, x, mean, var);
    }

    static void forward(OpenClBackend b, int n, int c, int hw, float eps, Storage x, Storage mean, Storage var,
                        Storage gamma, Storage beta, Storage y) {
        int total = size(n, c, hw);
        if (total == 0) {
            return;
        }
        b.launch("bn_forward", OpenClBackend.grid(total), null, n, c, hw, eps, x, mean, var, gamma, beta, y);
    }

    /** The reduction writes dgamma and dbeta, which the per-element kernel then reads. */
    static void backward(OpenClBackend b, int n, int c, int hw, float eps, boolean batchStatistics, Storage x,
                         Storage dy, Storage mean, Storage var, Storage gamma, Storage dx, Storage dgamma,
                         Storage dbeta) {
        if (c == 0) {
            return;
        }
        int total = size(n, c, hw);
        b.launch("bn_backward_reduce", OpenClBackend.groups(c, OpenClBackend.RB), LOCAL, n, c, hw, eps, x, dy, mean,
                var, dgamma, dbeta);
        if (total > 0) {
            b.launch("bn_backward_data", OpenClBackend.grid(total), null, n, c, hw, eps, batchStatistics ? 1 : 0, x,
                    dy, mean, var, gamma, dgamma, dbeta, dx);
        }
    }

    private static int size(int n, int c, int hw) {
        return OpenClBackend.checkedInt((long) n * c * hw, "element count");
    }
}
