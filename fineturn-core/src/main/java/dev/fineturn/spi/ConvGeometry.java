package dev.fineturn.spi;

/**
 * A 2-D convolution over NCHW input with OIHW weights ({@code [outChannels, inChannels/groups,
 * kh, kw]}). Padding may be asymmetric. Output size follows PyTorch (floor).
 */
public record ConvGeometry(int batch, int inChannels, int inH, int inW,
                           int outChannels, int kernelH, int kernelW,
                           int strideH, int strideW,
                           int padTop, int padLeft, int padBottom, int padRight,
                           int dilationH, int dilationW, int groups) {
    public ConvGeometry {
        if (batch < 1 || inChannels < 1 || inH < 1 || inW < 1 || outChannels < 1 || kernelH < 1 || kernelW < 1
                || strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1 || groups < 1
                || padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
            throw new IllegalArgumentException("conv2d: invalid geometry " + describe(batch, inChannels, inH, inW,
                    outChannels, kernelH, kernelW, strideH, strideW, padTop, padLeft, padBottom, padRight,
                    dilationH, dilationW, groups));
        }
        if (inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("conv2d: groups=" + groups + " must divide input channels "
                    + inChannels + " and output channels " + outChannels);
        }
        int oh = (inH + padTop + padBottom - dilationH * (kernelH - 1) - 1) / strideH + 1;
        int ow = (inW + padLeft + padRight - dilationW * (kernelW - 1) - 1) / strideW + 1;
        if (inH + padTop + padBottom - dilationH * (kernelH - 1) - 1 < 0
                || inW + padLeft + padRight - dilationW * (kernelW - 1) - 1 < 0 || oh < 1 || ow < 1) {
            throw new IllegalArgumentException("conv2d: kernel " + kernelH + "x" + kernelW + " (dilation "
                    + dilationH + "x" + dilationW + ") does not fit padded input " + (inH + padTop + padBottom)
                    + "x" + (inW + padLeft + padRight));
        }
    }

    public int outH() {
        return (inH + padTop + padBottom - dilationH * (kernelH - 1) - 1) / strideH + 1;
    }

    public int outW() {
        return (inW + padLeft + padRight - dilationW * (kernelW - 1) - 1) / strideW + 1;
    }

    public int inChannelsPerGroup() {
        return inChannels / groups;
    }

    public int outChannelsPerGroup() {
        return outChannels / groups;
    }

    public boolean isDepthwise() {
        return groups == inChannels && groups > 1;
    }

    public double forwardFlops() {
        return 2.0 * batch * outChannels * outH() * outW() * inChannelsPerGroup() * kernelH * kernelW;
    }

    private static String describe(int... v) {
        return java.util.Arrays.toString(v);
    }
}
