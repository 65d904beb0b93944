package dev.fineturn.optim;

import dev.fineturn.spi.UnaryOp;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;

import java.util.List;

/** Gradient clipping, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_. */
public final class GradClip {
    private GradClip() {
    }

    /** Scales all gradients so their global L2 norm is at most {@code maxNorm}; returns the norm before. */
    public static double clipNorm(List<Tensor> params, double maxNorm) {
        double sumSq = 0;
        try (var g = GradMode.noGrad()) {
            for (Tensor p : params) {
                if (p.grad() != null) {
                    Tensor gr = p.grad();
                    sumSq += gr.mul(gr).sum().item();
                }
            }
        }
        double norm = Math.sqrt(sumSq);
        double scale = maxNorm / (norm + 1e-6);
        if (scale < 1) {
            for (Tensor p : params) {
                Tensor gr = p.grad();
                if (gr != null) {
                    gr.backend().unary(UnaryOp.AFFINE, (float) scale, 0f, gr.storage(), gr.storage(), gr.numel());
                }
            }
        }
        return norm;
    }

    /** Clamps every gradient element to [-clip, clip]. */
    public static void clipValue(List<Tensor> params, double clip) {
        try (var g = GradMode.noGrad()) {
            for (Tensor p : params) {
                Tensor gr = p.grad();
                if (gr != null) {
                    Tensor lo = Tensor.full(gr.backend(), (float) -clip, 1);
                    Tensor hi = Tensor.full(gr.backend(), (float) clip, 1);
                    Tensor atLeastLo = dev.fineturn.ops.Arithmetic.maximum(gr, lo);
                    gr.copyFrom(dev.fineturn.ops.Arithmetic.maximum(atLeastLo.neg(), hi.neg()).neg());
                }
            }
        }
    }
}
