package dev.fineturn.models.graph;

import dev.fineturn.nn.Init;
import dev.fineturn.nn.Layer;
import dev.fineturn.ops.Conv2dOptions;
import dev.fineturn.ops.Convolution;
import dev.fineturn.tensor.Tensor;

/**
 * A convolution whose padding follows TensorFlow's "SAME" rule (ONNX SAME_UPPER): output size
 * ceil(in / stride), the odd padding pixel at the bottom/right. The padding depends on the input
 * size, so it is computed per call. Parameters are {@code weight} [out, in/groups, kh, kw] and
 * {@code bias}.
 */
public final class SameConv2d extends Layer {
    private final int strideH;
    private final int strideW;
    private final int dilationH;
    private final int dilationW;
    private final int groups;

    public SameConv2d(int in, int out, int kh, int kw, int strideH, int strideW, int dilationH, int dilationW,
                      int groups, boolean bias) {
        this.strideH = strideH;
        this.strideW = strideW;
        this.dilationH = dilationH;
        this.dilationW = dilationW;
        this.groups = groups;
        registerParameter("weight", Init.weight(Init.Scheme.PYTORCH_DEFAULT, in / groups * kh * kw, out * kh * kw,
                out, in / groups, kh, kw));
        if (bias) {
            registerParameter("bias", Init.bias(in / groups * kh * kw, out));
        }
    }

    public int[] strides() {
        return new int[]{strideH, strideW};
    }

    public int[] dilations() {
        return new int[]{dilationH, dilationW};
    }

    public int groups() {
        return groups;
    }

    /** Padding {top, left, bottom, right} for an input of the given size. */
    public int[] paddingFor(int inH, int inW) {
        Tensor w = parameter("weight");
        int[] ph = samePadding(inH, w.dim(2), strideH, dilationH);
        int[] pw = samePadding(inW, w.dim(3), strideW, dilationW);
        return new int[]{ph[0], pw[0], ph[1], pw[1]};
    }

    static int[] samePadding(int in, int kernel, int stride, int dilation) {
        int out = (in + stride - 1) / stride;
        int total = Math.max((out - 1) * stride + (kernel - 1) * dilation + 1 - in, 0);
        return new int[]{total / 2, total - total / 2};
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor w = parameter("weight");
        int[] ph = samePadding(x.dim(2), w.dim(2), strideH, dilationH);
        int[] pw = samePadding(x.dim(3), w.dim(3), strideW, dilationW);
        return Convolution.conv2d(x, w, parameter("bias"), new Conv2dOptions(strideH, strideW, ph[0], pw[0], ph[1],
                pw[1], dilationH, dilationW, groups));
    }

    @Override
    public String toString() {
        Tensor w = parameter("weight");
        return "Conv2d(" + w.dim(1) * groups + ", " + w.dim(0) + ", kernel=" + w.dim(2) + "x" + w.dim(3)
                + ", stride=" + strideH + ", padding=same, groups=" + groups + ")";
    }
}
