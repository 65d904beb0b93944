package dev.fineturn.reference;

import dev.fineturn.spi.AdamWParams;
import dev.fineturn.spi.SgdParams;

/** Parameter updates with PyTorch's semantics. */
public final class OptimizerKernels {
    private OptimizerKernels() {
    }

    public static void sgd(SgdParams p, float[] param, float[] grad, float[] buf, int n) {
        for (int i = 0; i < n; i++) {
            float g = grad[i] + p.weightDecay() * param[i];
            if (p.momentum() != 0f) {
                float b = p.firstStep() ? g : p.momentum() * buf[i] + (1f - p.dampening()) * g;
                buf[i] = b;
                g = p.nesterov() ? g + p.momentum() * b : b;
            }
            param[i] -= p.lr() * g;
        }
    }

    public static void adamw(AdamWParams p, float[] param, float[] grad, float[] m, float[] v, int n) {
        float decay = 1f - p.lr() * p.weightDecay();
        for (int i = 0; i < n; i++) {
            float g = grad[i];
            param[i] *= decay;
            m[i] = p.beta1() * m[i] + (1f - p.beta1()) * g;
            v[i] = p.beta2() * v[i] + (1f - p.beta2()) * g * g;
            float mHat = m[i] / p.biasCorrection1();
            float vHat = v[i] / p.biasCorrection2();
            param[i] -= p.lr() * mHat / ((float) Math.sqrt(vHat) + p.eps());
        }
    }
}
