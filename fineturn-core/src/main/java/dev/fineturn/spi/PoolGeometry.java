package dev.fineturn.spi;

/** A 2-D pooling window over NCHW input, with asymmetric padding and PyTorch's output size rule. */
public record PoolGeometry(int batch, int channels, int inH, int inW,
                           int kernelH, int kernelW, int strideH, int strideW,
                           int padTop, int padLeft, int padBottom, int padRight,
                           boolean ceilMode, boolean countIncludePad) {
    public PoolGeometry {
        if (batch < 1 || channels < 1 || inH < 1 || inW < 1 || kernelH < 1 || kernelW < 1 || strideH < 1
                || strideW < 1 || padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
            throw new IllegalArgumentException("pool2d: invalid geometry kernel " + kernelH + "x" + kernelW
                    + " stride " + strideH + "x" + strideW + " on input " + inH + "x" + inW);
        }
        if (outSize(inH, kernelH, strideH, padTop, padBottom, ceilMode) < 1
                || outSize(inW, kernelW, strideW, padLeft, padRight, ceilMode) < 1) {
            throw new IllegalArgumentException("pool2d: kernel " + kernelH + "x" + kernelW
                    + " does not fit input " + inH + "x" + inW);
        }
    }

    public int outH() {
        return outSize(inH, kernelH, strideH, padTop, padBottom, ceilMode);
    }

    public int outW() {
        return outSize(inW, kernelW, strideW, padLeft, padRight, ceilMode);
    }

    private static int outSize(int in, int k, int s, int p0, int p1, boolean ceil) {
        int span = in + p0 + p1 - k;
        if (span < 0) {
            return 0;
        }
        int out = (ceil ? (span + s - 1) / s : span / s) + 1;
        // PyTorch: the last window must start inside the input or left padding.
        if (ceil && (out - 1) * s >= in + p0) {
            out--;
        }
        return out;
    }
}
