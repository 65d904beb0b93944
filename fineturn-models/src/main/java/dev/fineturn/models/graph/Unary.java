package dev.fineturn.models.graph;

import dev.fineturn.nn.Layer;
import dev.fineturn.ops.Activations;
import dev.fineturn.tensor.Tensor;

/** A parameterised elementwise activation as imported layers declare them. */
public final class Unary extends Layer {
    /** The supported functions and what alpha/beta mean for each. */
    public enum Kind {
        RELU, LEAKY_RELU, CLIP_MAX, SIGMOID, TANH, HARD_SIGMOID, HARD_SWISH, SOFTMAX, IDENTITY
    }

    private final Kind kind;
    private final float alpha;
    private final float beta;

    public Unary(Kind kind, float alpha, float beta) {
        this.kind = kind;
        this.alpha = alpha;
        this.beta = beta;
    }

    public static Unary of(Kind kind) {
        return new Unary(kind, 0f, 0f);
    }

    public Kind kind() {
        return kind;
    }

    public float alpha() {
        return alpha;
    }

    public float beta() {
        return beta;
    }

    @Override
    public Tensor forward(Tensor x) {
        return switch (kind) {
            case RELU -> Activations.relu(x);
            case LEAKY_RELU -> Activations.leakyRelu(x, alpha);
            case CLIP_MAX -> Activations.clippedRelu(x, alpha);
            case SIGMOID -> Activations.sigmoid(x);
            case TANH -> Activations.tanh(x);
            case HARD_SIGMOID -> Activations.hardSigmoid(x, alpha, beta);
            case HARD_SWISH -> Activations.hardSwish(x);
            case SOFTMAX -> x.softmax(1);
            case IDENTITY -> x;
        };
    }

    @Override
    public String toString() {
        return switch (kind) {
            case LEAKY_RELU -> "LeakyReLU(" + alpha + ")";
            case CLIP_MAX -> alpha == 6f ? "ReLU6" : "ReLU(max=" + alpha + ")";
            case HARD_SIGMOID -> "HardSigmoid(" + alpha + ", " + beta + ")";
            default -> kind.name();
        };
    }
}
