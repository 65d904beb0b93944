package dev.fineturn.nn;

import dev.fineturn.tensor.Tensor;

/** {@code main(x) + shortcut(x)}, with an identity shortcut when none is given. */
public final class Residual extends Layer {
    private final boolean hasShortcut;

    public Residual(Layer main, Layer shortcut) {
        registerModule("main", main);
        hasShortcut = shortcut != null;
        if (hasShortcut) {
            registerModule("shortcut", shortcut);
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = children().get("main").forward(x);
        Tensor s = hasShortcut ? children().get("shortcut").forward(x) : x;
        return y.add(s);
    }

    @Override
    public String toString() {
        return "Residual";
    }
}
