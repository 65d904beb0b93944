package dev.fineturn.ops;

/** Stride, padding (top, left, bottom, right), dilation and groups of a 2-D convolution. */
public record Conv2dOptions(int strideH, int strideW, int padTop, int padLeft, int padBottom, int padRight,
                            int dilationH, int dilationW, int groups) {
    public static Conv2dOptions defaults() {
        return new Conv2dOptions(1, 1, 0, 0, 0, 0, 1, 1, 1);
    }

    /** Square stride and symmetric padding. */
    public static Conv2dOptions of(int stride, int padding) {
        return new Conv2dOptions(stride, stride, padding, padding, padding, padding, 1, 1, 1);
    }

    public Conv2dOptions withGroups(int g) {
        return new Conv2dOptions(strideH, strideW, padTop, padLeft, padBottom, padRight, dilationH, dilationW, g);
    }

    public Conv2dOptions withDilation(int dh, int dw) {
        return new Conv2dOptions(strideH, strideW, padTop, padLeft, padBottom, padRight, dh, dw, groups);
    }

    public Conv2dOptions withPadding(int top, int left, int bottom, int right) {
        return new Conv2dOptions(strideH, strideW, top, left, bottom, right, dilationH, dilationW, groups);
    }

    public Conv2dOptions withStride(int sh, int sw) {
        return new Conv2dOptions(sh, sw, padTop, padLeft, padBottom, padRight, dilationH, dilationW, groups);
    }
}
