package dev.fineturn.ops;

import dev.fineturn.spi.Backend;
import dev.fineturn.spi.UnaryOp;
import dev.fineturn.tensor.Autograd;
import dev.fineturn.tensor.Tensor;

/** Elementwise nonlinearities, each with its local derivative in the backend's unary kernels. */
public final class Activations {
    private Activations() {
    }

    public static Tensor relu(Tensor x) {
        return unary("relu", UnaryOp.RELU, 0f, 0f, x);
    }

    /**
     * relu(x) written over x's own memory, as torch's {@code ReLU(inplace=True)}, when no gradient is
     * recorded through x and x is dense; otherwise (this autograd keeps no version counters) a new
     * tensor, as {@link #relu}. For a caller's own intermediate results, e.g. a batch norm's output.
     */
    public static Tensor reluInPlace(Tensor x) {
        return unaryInPlace("relu", UnaryOp.RELU, 0f, 0f, x);
    }

    /** relu6(x) over x's own memory where {@link #reluInPlace} would be in place; otherwise a new tensor. */
    public static Tensor relu6InPlace(Tensor x) {
        return unaryInPlace("relu6", UnaryOp.CLIPPED_RELU, 6f, 0f, x);
    }

    public static Tensor relu6(Tensor x) {
        return unary("relu6", UnaryOp.CLIPPED_RELU, 6f, 0f, x);
    }

    public static Tensor clippedRelu(Tensor x, float max) {
        return unary("clipped_relu", UnaryOp.CLIPPED_RELU, max, 0f, x);
    }

    public static Tensor leakyRelu(Tensor x, float slope) {
        return unary("leaky_relu", UnaryOp.LEAKY_RELU, slope, 0f, x);
    }

    public static Tensor sigmoid(Tensor x) {
        return unary("sigmoid", UnaryOp.SIGMOID, 0f, 0f, x);
    }

    public static Tensor tanh(Tensor x) {
        return unary("tanh", UnaryOp.TANH, 0f, 0f, x);
    }

    /** PyTorch's hardsigmoid: relu6(x + 3) / 6. */
    public static Tensor hardSigmoid(Tensor x) {
        return unary("hard_sigmoid", UnaryOp.HARD_SIGMOID, 1f / 6f, 0.5f, x);
    }

    /** clamp(alpha * x + beta, 0, 1), as ONNX HardSigmoid. */
    public static Tensor hardSigmoid(Tensor x, float alpha, float beta) {
        return unary("hard_sigmoid", UnaryOp.HARD_SIGMOID, alpha, beta, x);
    }

    /** PyTorch's hardswish: x * relu6(x + 3) / 6. */
    public static Tensor hardSwish(Tensor x) {
        return unary("hard_swish", UnaryOp.HARD_SWISH, 1f / 6f, 0.5f, x);
    }

    public static Tensor exp(Tensor x) {
        return unary("exp", UnaryOp.EXP, 0f, 0f, x);
    }

    public static Tensor log(Tensor x) {
        return unary("log", UnaryOp.LOG, 0f, 0f, x);
    }

    public static Tensor sqrt(Tensor x) {
        return unary("sqrt", UnaryOp.SQRT, 0f, 0f, x);
    }

    public static Tensor square(Tensor x) {
        return unary("square", UnaryOp.SQUARE, 0f, 0f, x);
    }

    private static Tensor unaryInPlace(String name, UnaryOp op, float alpha, float beta, Tensor x) {
        if (Autograd.isRecording(x) || !x.isDense()) {
            return unary(name, op, alpha, beta, x);
        }
        x.backend().unary(op, alpha, beta, x.storage(), x.storage(), x.numel());
        return x;
    }

    static Tensor unary(String name, UnaryOp op, float alpha, float beta, Tensor input) {
        Tensor x = input.contiguous();
        Backend b = x.backend();
        Tensor y = Tensor.zeros(b, x.shape());
        b.unary(op, alpha, beta, x.storage(), y.storage(), x.numel());
        if (Autograd.isRecording(x)) {
            Autograd.record(y, name, g -> {
                Tensor gd = g.contiguous();
                Tensor dx = Tensor.zeros(b, x.shape());
                b.unaryBackward(op, alpha, beta, x.storage(), y.storage(), gd.storage(), dx.storage(), x.numel());
                return new Tensor[]{dx};
            }, x);
        }
        return y;
    }
}
