package dev.fineturn.models.arch;

import dev.fineturn.nn.Layer;

/** Freezing by position inside a model's {@code features} sequence. */
final class FeatureBlocks {
    private FeatureBlocks() {
    }

    /** Freezes {@code features.0 .. features.(k-1)} and unfreezes every other module of the model. */
    static void freezeFirst(Layer model, int k) {
        Layer features = model.module("features");
        int n = features.children().size();
        if (k < 0 || k > n) {
            throw new IllegalArgumentException("freezeFeatures(" + k + "): " + model.getClass().getSimpleName()
                    + " has " + n + " feature blocks (features.0 .. features." + (n - 1) + ")");
        }
        model.unfreeze();
        for (int i = 0; i < k; i++) {
            features.module(Integer.toString(i)).freeze();
        }
    }
}
