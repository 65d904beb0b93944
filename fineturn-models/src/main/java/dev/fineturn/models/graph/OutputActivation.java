package dev.fineturn.models.graph;

import dev.fineturn.tensor.Tensor;

/** What a source model applies after its final layer; training works on logits before it. */
public enum OutputActivation {
    NONE, SOFTMAX, SIGMOID;

    public Tensor apply(Tensor logits) {
        return switch (this) {
            case NONE -> logits;
            case SOFTMAX -> logits.softmax(-1);
            case SIGMOID -> logits.sigmoid();
        };
    }
}
