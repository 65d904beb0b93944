package dev.fineturn.nn;

import dev.fineturn.ops.Activations;
import dev.fineturn.tensor.Tensor;

/** A parameterless nonlinearity. */
public final class Activation extends Module {
    /** The supported functions. */
    public enum Kind { RELU, RELU6, SIGMOID, TANH, HARD_SIGMOID, HARD_SWISH }

    private final Kind kind;

    public Activation(Kind kind) {
        this.kind = kind;
    }

    public static Activation relu() {
        return new Activation(Kind.RELU);
    }

    public static Activation relu6() {
        return new Activation(Kind.RELU6);
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public Tensor forward(Tensor x) {
        return switch (kind) {
            case RELU -> Activations.relu(x);
            case RELU6 -> Activations.relu6(x);
            case SIGMOID -> Activations.sigmoid(x);
            case TANH -> Activations.tanh(x);
            case HARD_SIGMOID -> Activations.hardSigmoid(x);
            case HARD_SWISH -> Activations.hardSwish(x);
        };
    }

    @Override
    public String toString() {
        return kind.name();
    }
}
