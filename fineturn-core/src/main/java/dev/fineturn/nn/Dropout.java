package dev.fineturn.nn;

import dev.fineturn.ops.DropoutOp;
import dev.fineturn.tensor.Tensor;

/**
 * Inverted dropout. Call i in training draws its mask from (seed, i), so a checkpoint that saves
 * the call counter resumes with exactly the same masks.
 */
public final class Dropout extends Layer implements Layer.Stochastic {
    private final float p;
    private final long seed;
    private long calls;

    public Dropout(float p) {
        if (p < 0f || p >= 1f) {
            throw new IllegalArgumentException("Dropout: probability " + p + " must be in [0, 1)");
        }
        this.p = p;
        this.seed = Init.nextSeed();
    }

    @Override
    public Tensor forward(Tensor x) {
        if (behavesAsEval() || p == 0f) {
            return x;
        }
        long s = seed ^ (0x9E3779B97F4A7C15L * (++calls));
        return DropoutOp.dropout(x, p, true, s);
    }

    @Override
    public long counter() {
        return calls;
    }

    @Override
    public void setCounter(long value) {
        calls = value;
    }

    @Override
    public String toString() {
        return "Dropout(" + p + ")";
    }
}
