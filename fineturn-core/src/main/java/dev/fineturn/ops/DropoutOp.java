package dev.fineturn.ops;

import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.Autograd;
import dev.fineturn.tensor.Tensor;

/** Inverted dropout with a counter-based mask, reproducible from its seed on every backend. */
public final class DropoutOp {
    private DropoutOp() {
    }

    public static Tensor dropout(Tensor x, float p, boolean training, long seed) {
        if (p < 0f || p > 1f) {
            throw new IllegalArgumentException("dropout: probability " + p + " must be in [0, 1]");
        }
        if (!training || p == 0f) {
            return x;
        }
        Backend b = x.backend();
        Tensor mask = Tensor.zeros(b, x.shape());
        b.dropoutMask(seed, p, mask.storage(), mask.numel());
        Tensor y = Arithmetic.apply("dropout", dev.fineturn.spi.BinaryOp.MUL, x, mask);
        if (Autograd.isRecording(x)) {
            Autograd.record(y, "dropout", g -> new Tensor[]{
                    Arithmetic.apply("dropout", dev.fineturn.spi.BinaryOp.MUL, g, mask)}, x);
        }
        return y;
    }
}
