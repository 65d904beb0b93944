package dev.fineturn.nn;

import dev.fineturn.ops.MatMul;
import dev.fineturn.tensor.Tensor;

/** Fully connected layer; {@code weight} is [out, in] as in PyTorch. */
public final class Linear extends Layer {
    private final int in;
    private final int out;

    public Linear(int in, int out, boolean bias) {
        this(in, out, bias, Init.Scheme.PYTORCH_DEFAULT);
    }

    /** A layer whose weight is drawn with {@code scheme}; He and Xavier layers start with a zero bias. */
    public Linear(int in, int out, boolean bias, Init.Scheme scheme) {
        this.in = in;
        this.out = out;
        registerParameter("weight", Init.weight(scheme, in, out, out, in));
        if (bias) {
            registerParameter("bias", scheme == Init.Scheme.PYTORCH_DEFAULT ? Init.bias(in, out)
                    : Init.constant(0f, out));
        }
    }

    @Override
    protected void resetOwnParameters() {
        parameter("weight").copyFrom(Init.weight(Init.Scheme.PYTORCH_DEFAULT, in, out, out, in));
        Tensor b = parameter("bias");
        if (b != null) {
            b.copyFrom(Init.bias(in, out));
        }
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }

    @Override
    public Tensor forward(Tensor x) {
        return MatMul.linear(x, parameter("weight"), parameter("bias"));
    }

    @Override
    public String toString() {
        return "Linear(" + in + ", " + out + ")";
    }
}
