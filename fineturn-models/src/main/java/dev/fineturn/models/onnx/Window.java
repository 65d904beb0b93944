package dev.fineturn.models.onnx;

import dev.fineturn.io.WeightFormatException;
import dev.fineturn.ops.Conv2dOptions;

import java.util.Arrays;

/**
 * The sliding window of a Conv or pooling node in 2-D terms (a 1-D window is lifted to height 1):
 * kernel, strides, dilations and padding {top, left, bottom, right}. SAME padding is resolved
 * from the static input size, or left to run time ({@code sameAtRunTime}) when that is unknown.
 */
record Window(boolean oneD, int kh, int kw, int sh, int sw, int dh, int dw, int[] pads, boolean sameAtRunTime,
              long inH, long inW) {

    static Window read(OpContext c, long[] inShape, long[] kernel) throws WeightFormatException {
        int spatial = kernel.length;
        int[] strides = c.attrs.ints("strides", spatial, 1, Integer.MAX_VALUE, 1);
        int[] dilations = c.attrs.ints("dilations", spatial, 1, Integer.MAX_VALUE, 1);
        int[] attrPads = c.attrs.ints("pads", 2 * spatial, 0, Integer.MAX_VALUE, 0);
        for (long k : kernel) {
            if (k < 1 || k > Integer.MAX_VALUE) {
                throw c.invalid("kernel " + Arrays.toString(kernel) + " has a size out of range");
            }
        }
        boolean oneD = spatial == 1;
        int kh = oneD ? 1 : (int) kernel[0];
        int kw = (int) kernel[spatial - 1];
        int sh = oneD ? 1 : strides[0];
        int sw = strides[spatial - 1];
        int dh = oneD ? 1 : dilations[0];
        int dw = dilations[spatial - 1];
        long inH = oneD ? 1 : inShape[2];
        long inW = inShape[inShape.length - 1];
        int[] pads = new int[4];
        String autoPad = c.attrs.s("auto_pad", "NOTSET");
        switch (autoPad) {
            case "NOTSET", "" -> {
                if (oneD) {
                    pads[1] = attrPads[0];
                    pads[3] = attrPads[1];
                } else {
                    pads = new int[]{attrPads[0], attrPads[1], attrPads[2], attrPads[3]};
                }
            }
            case "VALID" -> {
            }
            case "SAME_UPPER", "SAME_LOWER" -> {
                boolean upper = autoPad.equals("SAME_UPPER");
                if (!Dims.known(inH) || !Dims.known(inW)) {
                    if (!upper) {
                        throw c.unsupported("SAME_LOWER padding of an input of unknown size " + Dims.str(inShape));
                    }
                    return new Window(oneD, kh, kw, sh, sw, dh, dw, pads, true, inH, inW);
                }
                long[] ph = ShapeRules.samePads(inH, kh, sh, dh, upper);
                long[] pw = ShapeRules.samePads(inW, kw, sw, dw, upper);
                pads = new int[]{Math.toIntExact(ph[0]), Math.toIntExact(pw[0]), Math.toIntExact(ph[1]),
                        Math.toIntExact(pw[1])};
            }
            default -> throw c.unsupported("auto_pad " + autoPad);
        }
        return new Window(oneD, kh, kw, sh, sw, dh, dw, pads, false, inH, inW);
    }

    Conv2dOptions convOptions(int group) {
        return new Conv2dOptions(sh, sw, pads[0], pads[1], pads[2], pads[3], dh, dw, group);
    }

    /** Output shape [batch, channels, (h,) w]; an empty output is an error. */
    long[] outputShape(OpContext c, long batch, long channels, boolean ceil) throws WeightFormatException {
        long oh = size(inH, kh, sh, dh, pads[0], pads[2], ceil);
        long ow = size(inW, kw, sw, dw, pads[1], pads[3], ceil);
        if (oh == 0 || ow == 0) {
            throw c.invalid("the " + kh + "x" + kw + " window does not fit the input "
                    + (oneD ? "" : inH + "x") + inW + " with padding " + Arrays.toString(pads));
        }
        return oneD ? new long[]{batch, channels, ow} : new long[]{batch, channels, oh, ow};
    }

    private long size(long in, int k, int s, int d, int p0, int p1, boolean ceil) {
        if (!Dims.known(in)) {
            return Dims.UNKNOWN;
        }
        if (sameAtRunTime) {
            return (in + s - 1) / s;
        }
        return Math.max(ShapeRules.pooledSize(in, k, s, p0, p1, d, ceil), 0);
    }
}
