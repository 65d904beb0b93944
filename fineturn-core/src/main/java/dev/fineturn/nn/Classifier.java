package dev.fineturn.nn;

import dev.fineturn.data.Preprocessing;
import dev.fineturn.tensor.Tensor;

/**
 * A network that ends in a fully connected classifier head. {@link #features} is everything before
 * the head, so {@code forward(x) == head(features(x))}; transfer strategies rely on that split.
 * Inputs are images with pixels in [0, 1]; the model's {@link Preprocessing} (its source's input
 * convention) is applied at the start of every pass.
 */
public abstract class Classifier extends Layer {
    private Preprocessing preprocessing = Preprocessing.NONE;

    /** The input convention applied to [0, 1] pixels before the network. */
    public Preprocessing preprocessing() {
        return preprocessing;
    }

    public Classifier setPreprocessing(Preprocessing p) {
        this.preprocessing = java.util.Objects.requireNonNull(p, "preprocessing");
        return this;
    }

    /** Dotted path of the final {@link Linear}, e.g. "fc" or "classifier.1". */
    public abstract String headPath();

    /** The backbone's output for the head, [N, features], for images with pixels in [0, 1]. */
    public final Tensor features(Tensor x) {
        return backbone(preprocessing.apply(x));
    }

    /** The backbone's output for the head, [N, features], for an already preprocessed input. */
    protected abstract Tensor backbone(Tensor preprocessed);

    /** The layer that gives the class scores: the head itself, or the last layer of an {@link MlpHead}. */
    public Linear head() {
        Layer m = headBlock();
        return m instanceof MlpHead mlp ? mlp.output() : (Linear) m;
    }

    /** Everything applied to {@link #features}: a {@link Linear} head or an {@link MlpHead}. */
    public Layer headBlock() {
        return module(headPath());
    }

    public int numClasses() {
        return head().outFeatures();
    }

    public int featureSize() {
        return headBlock() instanceof MlpHead mlp ? mlp.inFeatures() : head().inFeatures();
    }

    /** Number of input channels the network expects (checked against the data). */
    public abstract int inputChannels();

    @Override
    public Tensor forward(Tensor x) {
        return headBlock().forward(features(x));
    }

    /**
     * Replaces the head by a fresh {@code featureSize() -> numClasses} layer, drawn with He or
     * Xavier initialisation, trainable. Returns the new head.
     */
    public Linear replaceHead(int numClasses, Init.Scheme scheme) {
        if (numClasses < 2) {
            throw new IllegalArgumentException("replaceHead: need at least 2 classes, got " + numClasses);
        }
        Linear fresh = new Linear(featureSize(), numClasses, true, scheme);
        installHead(fresh);
        return fresh;
    }

    /**
     * Replaces the head by a fresh {@code featureSize() -> hidden -> numClasses} {@link MlpHead};
     * {@link #head()} is then its last layer.
     */
    public MlpHead replaceHeadWithMlp(int numClasses, int hidden, Init.Scheme scheme) {
        if (numClasses < 2) {
            throw new IllegalArgumentException("replaceHead: need at least 2 classes, got " + numClasses);
        }
        MlpHead fresh = new MlpHead(featureSize(), hidden, numClasses, scheme);
        installHead(fresh);
        return fresh;
    }

    private void installHead(Layer fresh) {
        fresh.to(head().parameters().get(0).backend());
        String path = headPath();
        int dot = path.lastIndexOf('.');
        Layer parent = dot < 0 ? this : module(path.substring(0, dot));
        parent.replaceChild(dot < 0 ? path : path.substring(dot + 1), fresh);
    }

    public Linear replaceHead(int numClasses) {
        return replaceHead(numClasses, Init.Scheme.HE);
    }
}
