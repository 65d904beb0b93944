package dev.fineturn.nn;

import dev.fineturn.ops.Activations;
import dev.fineturn.tensor.Tensor;

/** A parameterless nonlinearity. */
public final class Activation extends Layer {
    /** The supported functions. */
    public enum Kind { RELU, RELU6, SIGMOID, TANH, HARD_SIGMOID, HARD_SWISH }

    private final Kind kind;
    private final boolean inPlace;

    public Activation(Kind kind) {
        this(kind, false);
    }

    /**
     * With {@code inPlace}, as torch's {@code inplace=True}: the result overwrites the input's memory
     * where no gradient is recorded through it (see {@link Activations#reluInPlace}); RELU and RELU6 only.
     * For models whose activations only ever see their own intermediate results, as torchvision's.
     */
    public Activation(Kind kind, boolean inPlace) {
        if (inPlace && kind != Kind.RELU && kind != Kind.RELU6) {
            throw new IllegalArgumentException("Activation: in-place is supported for RELU and RELU6, not " + kind);
        }
        this.kind = kind;
        this.inPlace = inPlace;
    }

    public static Activation relu() {
        return new Activation(Kind.RELU);
    }

    /** relu over its input's memory where no gradient is recorded (torch's {@code ReLU(inplace=True)}). */
    public static Activation reluInPlace() {
        return new Activation(Kind.RELU, true);
    }

    public static Activation relu6() {
        return new Activation(Kind.RELU6);
    }

    public Kind kind() {
        return kind;
    }

    public boolean isInPlace() {
        return inPlace;
    }

    @Override
    public Tensor forward(Tensor x) {
        return switch (kind) {
            case RELU -> inPlace ? Activations.reluInPlace(x) : Activations.relu(x);
            case RELU6 -> inPlace ? Activations.relu6InPlace(x) : Activations.relu6(x);
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
