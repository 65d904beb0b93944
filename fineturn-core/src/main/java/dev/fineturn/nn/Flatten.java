package dev.fineturn.nn;

import dev.fineturn.tensor.Tensor;

/** Flattens every dimension from {@code startDim} on (1 by default: keeps the batch). */
public final class Flatten extends Layer {
    private final int startDim;

    public Flatten() {
        this(1);
    }

    public Flatten(int startDim) {
        this.startDim = startDim;
    }

    /** The first dimension folded into the last. */
    public int startDim() {
        return startDim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.flatten(startDim);
    }

    @Override
    public String toString() {
        return "Flatten(" + startDim + ")";
    }
}
