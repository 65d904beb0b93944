package dev.fineturn.nn;

/**
 * A classifier head with one hidden layer: {@code Linear(in, hidden) -> ReLU -> Linear(hidden,
 * classes)}, for features that a linear head cannot separate. Its children are named "0", "1",
 * "2" as in a PyTorch {@code nn.Sequential}.
 */
public final class MlpHead extends Sequential {
    public MlpHead(int in, int hidden, int classes, Init.Scheme scheme) {
        super(new Linear(in, hidden, true, scheme), Activation.relu(), new Linear(hidden, classes, true, scheme));
        if (hidden < 1) {
            throw new IllegalArgumentException("MlpHead: hidden units " + hidden + " must be positive");
        }
    }

    public int inFeatures() {
        return ((Linear) layers().getFirst()).inFeatures();
    }

    public int hidden() {
        return ((Linear) layers().getFirst()).outFeatures();
    }

    /** The last layer, which gives the class scores. */
    public Linear output() {
        return (Linear) layers().getLast();
    }

    @Override
    public String toString() {
        return "MlpHead(" + inFeatures() + " -> " + hidden() + " -> " + output().outFeatures() + ")";
    }
}
