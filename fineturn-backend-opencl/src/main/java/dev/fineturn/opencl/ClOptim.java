package dev.fineturn.opencl;

import dev.fineturn.spi.AdamWParams;
import dev.fineturn.spi.SgdParams;
import dev.fineturn.spi.Storage;

/** Optimiser updates and the dropout mask, one work-item per element. */
final class ClOptim {
    private ClOptim() {
    }

    static void sgd(ClLauncher b, SgdParams p, Storage param, Storage grad, Storage buf, long n) {
        if (n == 0) {
            return;
        }
        int count = ClLauncher.checkedInt(n, "length");
        Storage momentum = buf != null ? buf : p.momentum() != 0f ? b.allocate(n) : grad;
        b.launch("sgd_step", ClRange.linear(count), p.lr(), p.momentum(), p.dampening(), p.weightDecay(),
                p.nesterov() ? 1 : 0, p.firstStep() ? 1 : 0, param, grad, momentum, count);
    }

    static void adamw(ClLauncher b, AdamWParams p, Storage param, Storage grad, Storage m, Storage v, long n) {
        if (n == 0) {
            return;
        }
        int count = ClLauncher.checkedInt(n, "length");
        float decay = 1f - p.lr() * p.weightDecay();
        b.launch("adamw_step", ClRange.linear(count), p.lr(), p.beta1(), p.beta2(), p.eps(), decay,
                p.biasCorrection1(), p.biasCorrection2(), param, grad, m, v, count);
    }

    static void dropoutMask(ClLauncher b, long seed, float p, Storage mask, long n) {
        if (n == 0) {
            return;
        }
        int count = ClLauncher.checkedInt(n, "length");
        float keep = p >= 1f ? 0f : 1f / (1f - p);
        b.launch("dropout_mask", ClRange.linear(count), seed, p, keep, mask, count);
    }
}
