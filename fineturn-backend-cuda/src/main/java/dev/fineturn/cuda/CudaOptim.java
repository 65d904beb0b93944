package dev.fineturn.cuda;

import dev.fineturn.spi.AdamWParams;
import dev.fineturn.spi.SgdParams;
import dev.fineturn.spi.Storage;

import static dev.fineturn.cuda.CudaLauncher.checkedInt;

/** Optimiser updates and the dropout mask, one thread per element. */
final class CudaOptim {
    private CudaOptim() {
    }

    /** Without a buffer and with momentum, a fresh zero buffer stands in (the result is not kept). */
    static void sgd(CudaLauncher k, SgdParams p, Storage param, Storage grad, Storage buf, long n) {
        if (n == 0) {
            return;
        }
        int count = checkedInt(n, "length");
        Storage momentum = buf != null ? buf : p.momentum() != 0f ? k.allocate(n) : grad;
        k.launch("sgd_step", LaunchShape.linear(count), p.lr(), p.momentum(), p.dampening(), p.weightDecay(),
                p.nesterov() ? 1 : 0, p.firstStep() ? 1 : 0, param, grad, momentum, count);
    }

    static void adamw(CudaLauncher k, AdamWParams p, Storage param, Storage grad, Storage m, Storage v, long n) {
        if (n == 0) {
            return;
        }
        int count = checkedInt(n, "length");
        float decay = 1f - p.lr() * p.weightDecay();
        k.launch("adamw_step", LaunchShape.linear(count), p.lr(), p.beta1(), p.beta2(), p.eps(), decay,
                p.biasCorrection1(), p.biasCorrection2(), param, grad, m, v, count);
    }

    /** keep = 1 / (1 - p), or 0 when p >= 1, computed here as the reference does. */
    static void dropoutMask(CudaLauncher k, long seed, float p, Storage mask, long n) {
        if (n == 0) {
            return;
        }
        int count = checkedInt(n, "length");
        float keep = p >= 1f ? 0f : 1f / (1f - p);
        k.launch("dropout_mask", LaunchShape.linear(count), seed, p, keep, mask, count);
    }
}
