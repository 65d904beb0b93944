package dev.fineturn.conformance;

import dev.fineturn.ops.Activations;
import dev.fineturn.ops.Arithmetic;
import dev.fineturn.ops.Conv2dOptions;
import dev.fineturn.ops.Convolution;
import dev.fineturn.ops.DropoutOp;
import dev.fineturn.ops.Losses;
import dev.fineturn.ops.MatMul;
import dev.fineturn.ops.Normalization;
import dev.fineturn.ops.Pooling;
import dev.fineturn.ops.ShapeOps;
import dev.fineturn.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

import static dev.fineturn.conformance.OpCase.Inputs.awayFrom;
import static dev.fineturn.conformance.OpCase.Inputs.between;
import static dev.fineturn.conformance.OpCase.Inputs.distinct;
import static dev.fineturn.conformance.OpCase.Inputs.perInput;

/** Every op with awkward shapes: 1x1, odd sizes, batch 1, stride/padding/dilation/group mixes. */
public final class OpCases {
    private OpCases() {
    }

    private static int[] s(int... d) {
        return d;
    }

    private static final OpCase.Inputs SMOOTH = awayFrom(2f, 0.05f);

    public static List<OpCase> all() {
        List<OpCase> c = new ArrayList<>();
        // elementwise arithmetic with broadcasting
        c.add(OpCase.of("add", SMOOTH, t -> t[0].add(t[1]), s(2, 3, 5), s(3, 1)));
        c.add(OpCase.of("add", SMOOTH, t -> t[0].add(t[1]), s(1), s(4, 7)));
        c.add(OpCase.of("add in place", SMOOTH, t -> Arithmetic.addInPlace(t[0].mul(t[0]), t[1]), s(2, 3, 5),
                s(3, 1)));
        c.add(OpCase.of("sub", SMOOTH, t -> t[0].sub(t[1]), s(4, 1, 3), s(1, 5, 3)));
        c.add(OpCase.of("mul", SMOOTH, t -> t[0].mul(t[1]), s(2, 17), s(17)));
        c.add(OpCase.of("div", perInput(SMOOTH, between(0.5f, 2f)), t -> t[0].div(t[1]), s(3, 9), s(3, 1)));
        c.add(OpCase.of("affine", SMOOTH, t -> t[0].mul(-1.5f).add(0.25f), s(13)));
        // products
        c.add(OpCase.of("matmul", SMOOTH, t -> t[0].matmul(t[1]), s(3, 5), s(5, 7)));
        c.add(OpCase.of("matmul", SMOOTH, t -> t[0].matmul(t[1]), s(1, 1), s(1, 1)));
        c.add(OpCase.of("matmul", SMOOTH, t -> t[0].matmul(t[1]), s(5, 17), s(17, 9)));
        c.add(OpCase.of("matmul batched", SMOOTH, t -> t[0].matmul(t[1]), s(2, 3, 4), s(2, 4, 5)));
        c.add(OpCase.of("matmul broadcast b", SMOOTH, t -> t[0].matmul(t[1]), s(2, 3, 4), s(4, 1)));
        c.add(OpCase.of("matmul broadcast a", SMOOTH, t -> t[0].matmul(t[1]), s(3, 4), s(2, 4, 5)));
        c.add(OpCase.of("matmul transposed views", SMOOTH, t -> t[0].transpose(0, 1).matmul(t[1].transpose(0, 1)),
                s(6, 3), s(5, 6)));
        c.add(OpCase.of("linear", SMOOTH, t -> MatMul.linear(t[0], t[1], t[2]), s(3, 7), s(5, 7), s(5)));
        c.add(OpCase.of("linear batch 1", SMOOTH, t -> MatMul.linear(t[0], t[1], null), s(1, 9), s(10, 9)));
        // convolution
        c.add(conv("conv 1x1", s(1, 3, 5, 5), s(4, 3, 1, 1), Conv2dOptions.defaults(), false));
        c.add(conv("conv 3x3 pad 1 bias", s(2, 3, 7, 7), s(5, 3, 3, 3), Conv2dOptions.of(1, 1), true));
        c.add(conv("conv stride 2", s(1, 4, 9, 11), s(6, 4, 3, 3), Conv2dOptions.of(2, 1), false));
        c.add(conv("conv dilation 2", s(1, 2, 9, 9), s(3, 2, 3, 3), Conv2dOptions.of(1, 2).withDilation(2, 2), true));
        c.add(conv("conv groups 2", s(2, 4, 6, 6), s(6, 2, 3, 3), Conv2dOptions.of(1, 1).withGroups(2), false));
        c.add(conv("conv depthwise stride 2", s(1, 5, 7, 7), s(5, 1, 3, 3), Conv2dOptions.of(2, 1).withGroups(5), true));
        c.add(conv("conv depthwise multiplier 2", s(2, 3, 6, 6), s(6, 1, 3, 3), Conv2dOptions.of(1, 1).withGroups(3),
                false));
        c.add(conv("conv asymmetric pad", s(1, 3, 8, 8), s(4, 3, 3, 3),
                Conv2dOptions.of(2, 0).withPadding(0, 0, 1, 1), false));
        c.add(conv("conv 1x3 stride 2x1", s(2, 3, 5, 7), s(2, 3, 1, 3),
                Conv2dOptions.defaults().withStride(2, 1).withPadding(0, 1, 0, 1), true));
        c.add(conv("conv 5x5 dilation 1x2 groups 3", s(1, 6, 11, 13), s(3, 2, 5, 5),
                new Conv2dOptions(1, 2, 2, 1, 3, 2, 1, 2, 3), false));
        // pooling
        c.add(OpCase.of("max_pool 2x2", distinct(0.07f), t -> Pooling.maxPool2d(t[0], 2, 2, 0), s(2, 3, 6, 6)));
        c.add(OpCase.of("max_pool 3x3 s2 p1", distinct(0.07f), t -> Pooling.maxPool2d(t[0], 3, 2, 1), s(1, 2, 7, 7)));
        c.add(OpCase.of("max_pool ceil", distinct(0.07f), t -> Pooling.maxPool2d(t[0],
                Pooling.geometry("max_pool2d", t[0], 3, 3, 2, 2, 0, 0, 0, 0, true, false)), s(1, 2, 6, 6)));
        c.add(OpCase.of("avg_pool 2x2", SMOOTH, t -> Pooling.avgPool2d(t[0], 2, 2, 0, true), s(2, 3, 6, 5)));
        c.add(OpCase.of("avg_pool 3x3 p1 include pad", SMOOTH, t -> Pooling.avgPool2d(t[0], 3, 1, 1, true),
                s(1, 2, 5, 5)));
        c.add(OpCase.of("avg_pool 3x3 p1 exclude pad", SMOOTH, t -> Pooling.avgPool2d(t[0], 3, 2, 1, false),
                s(1, 2, 7, 6)));
        c.add(OpCase.of("global_avg_pool", SMOOTH, t -> Pooling.globalAvgPool(t[0]), s(2, 3, 5, 5)));
        // activations
        c.add(OpCase.of("relu", SMOOTH, t -> Activations.relu(t[0]), s(3, 17)));
        c.add(OpCase.of("relu6", awayFrom(8f, 0.05f, 6f), t -> Activations.relu6(t[0]), s(3, 17)));
        // in place where nothing records (the forward check), a new tensor while recording (the gradient checks)
        c.add(OpCase.of("relu in place", SMOOTH, t -> Activations.reluInPlace(t[0].mul(t[1])), s(3, 17), s(17)));
        c.add(OpCase.of("relu6 in place", awayFrom(8f, 0.05f, 6f), t -> Activations.relu6InPlace(t[0]), s(2, 19)));
        c.add(OpCase.of("leaky_relu", SMOOTH, t -> Activations.leakyRelu(t[0], 0.1f), s(1)));
        c.add(OpCase.of("sigmoid", SMOOTH, t -> Activations.sigmoid(t[0]), s(2, 9)));
        c.add(OpCase.of("tanh", SMOOTH, t -> Activations.tanh(t[0]), s(2, 9)));
        c.add(OpCase.of("hard_sigmoid", awayFrom(5f, 0.05f, 3f, -3f), t -> Activations.hardSigmoid(t[0]), s(3, 11)));
        c.add(OpCase.of("hard_swish", awayFrom(5f, 0.05f, 3f, -3f), t -> Activations.hardSwish(t[0]), s(3, 11)));
        c.add(OpCase.of("exp", SMOOTH, t -> Activations.exp(t[0]), s(7)));
        c.add(OpCase.of("log", between(0.5f, 3f), t -> Activations.log(t[0]), s(7)));
        c.add(OpCase.of("sqrt", between(0.5f, 3f), t -> Activations.sqrt(t[0]), s(7)));
        // softmax and losses
        c.add(OpCase.of("softmax", SMOOTH, t -> t[0].softmax(-1), s(4, 13)));
        c.add(OpCase.of("softmax dim 1", SMOOTH, t -> t[0].softmax(1), s(2, 5, 3)));
        c.add(OpCase.of("log_softmax", SMOOTH, t -> t[0].logSoftmax(-1), s(3, 10)));
        c.add(OpCase.of("cross_entropy", SMOOTH, t -> Losses.crossEntropy(t[0], new int[]{0, 6, 3, 3, 1}, 0f),
                s(5, 7)));
        c.add(OpCase.of("cross_entropy smoothing", SMOOTH,
                t -> Losses.crossEntropy(t[0], new int[]{2, 0, 1}, 0.1f), s(3, 4)));
        c.add(OpCase.of("cross_entropy batch 1", SMOOTH, t -> Losses.crossEntropy(t[0], new int[]{9}, 0f), s(1, 10)));
        // normalisation and dropout
        c.add(OpCase.of("batch_norm train", SMOOTH,
                t -> Normalization.batchNorm(t[0], t[1], t[2], null, null, true, 0.1f, 1e-5f),
                s(4, 3, 5, 5), s(3), s(3)));
        c.add(OpCase.of("batch_norm train 2d", SMOOTH,
                t -> Normalization.batchNorm(t[0], t[1], t[2], null, null, true, 0.1f, 1e-5f), s(6, 4), s(4), s(4)));
        c.add(OpCase.of("batch_norm eval", perInput(SMOOTH, SMOOTH, SMOOTH),
                t -> {
                    Tensor mean = Tensor.of(t[0].backend(), new float[]{0.1f, -0.2f, 0.3f}, 3);
                    Tensor var = Tensor.of(t[0].backend(), new float[]{0.5f, 1.5f, 2f}, 3);
                    return Normalization.batchNorm(t[0], t[1], t[2], mean, var, false, 0.1f, 1e-3f);
                }, s(2, 3, 4, 3), s(3), s(3)));
        c.add(OpCase.of("batch_norm train in place", SMOOTH,
                t -> Normalization.batchNorm(t[0].mul(t[0]), t[1], t[2], null, null, true, 0.1f, 1e-5f, true),
                s(3, 4, 3, 5), s(4), s(4)));
        c.add(OpCase.of("batch_norm eval in place", SMOOTH,
                t -> {
                    Tensor mean = Tensor.of(t[0].backend(), new float[]{0.1f, -0.2f}, 2);
                    Tensor var = Tensor.of(t[0].backend(), new float[]{0.5f, 1.5f}, 2);
                    return Normalization.batchNorm(t[0].mul(t[0]), t[1], t[2], mean, var, false, 0.1f, 1e-3f, true);
                }, s(5, 2), s(2), s(2)));
        c.add(OpCase.of("dropout", SMOOTH, t -> DropoutOp.dropout(t[0], 0.3f, true, 42L), s(4, 33)));
        // shapes and reductions
        c.add(OpCase.of("flatten", SMOOTH, t -> t[0].flatten(1).mul(t[1]), s(2, 3, 4), s(12)));
        c.add(OpCase.of("permute", SMOOTH, t -> t[0].permute(2, 0, 1).contiguous(), s(2, 3, 4)));
        c.add(OpCase.of("slice", SMOOTH, t -> t[0].slice(1, 1, 3).mul(t[0].slice(1, 0, 2)), s(2, 4, 3)));
        c.add(OpCase.of("slice step", SMOOTH, t -> t[0].slice(0, 1, 7, 2).exp(), s(7, 3)));
        c.add(OpCase.of("concat", SMOOTH, t -> ShapeOps.concat(1, t[0], t[1], t[0]), s(2, 3, 4), s(2, 1, 4)));
        c.add(OpCase.of("zero_pad2d asymmetric", SMOOTH, t -> ShapeOps.zeroPad2d(t[0], 0, 1, 2, 0), s(1, 2, 3, 4)));
        c.add(OpCase.of("sum all", SMOOTH, t -> t[0].sum(), s(3, 5)));
        c.add(OpCase.of("sum dims", SMOOTH, t -> t[0].sum(new int[]{0, 2}, false), s(3, 4, 5)));
        c.add(OpCase.of("mean keepdim", SMOOTH, t -> t[0].mean(new int[]{1}, true), s(3, 4, 5)));
        c.add(OpCase.of("mean all", SMOOTH, t -> t[0].mean(), s(1, 1)));
        c.add(OpCase.of("expand", SMOOTH, t -> t[0].expand(3, 2, 4).mul(t[1]), s(2, 1), s(3, 2, 4)));
        return c;
    }

    private static OpCase conv(String name, int[] x, int[] w, Conv2dOptions o, boolean bias) {
        if (bias) {
            return OpCase.of(name, SMOOTH, t -> Convolution.conv2d(t[0], t[1], t[2], o), x, w, s(w[0]));
        }
        return OpCase.of(name, SMOOTH, t -> Convolution.conv2d(t[0], t[1], null, o), x, w);
    }
}
