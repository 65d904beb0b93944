package dev.fineturn.data;

import java.util.Arrays;

/**
 * One image and its class: {@code pixels} in CHW order (channel planes, each row-major), with the
 * image's channels, height and width. Transforms return new samples and never modify the pixels
 * they are given.
 */
public record Sample(float[] pixels, int channels, int height, int width, int label) {
    public Sample {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("sample: shape [" + channels + ", " + height + ", " + width
                    + "] must be positive");
        }
        if ((long) channels * height * width != pixels.length) {
            throw new IllegalArgumentException("sample: " + pixels.length + " pixels do not fill shape ["
                    + channels + ", " + height + ", " + width + "]");
        }
    }

    /** A sample of the given {@code [C, H, W]} shape. */
    public static Sample of(float[] pixels, int[] shape, int label) {
        if (shape.length != 3) {
            throw new IllegalArgumentException("sample: shape " + Arrays.toString(shape) + " is not [C, H, W]");
        }
        return new Sample(pixels, shape[0], shape[1], shape[2], label);
    }

    /** {@code [C, H, W]}. */
    public int[] shape() {
        return new int[]{channels, height, width};
    }

    /** The same label with other pixels, e.g. a transform's output. */
    public Sample withPixels(float[] newPixels, int newChannels, int newHeight, int newWidth) {
        return new Sample(newPixels, newChannels, newHeight, newWidth, label);
    }

    @Override
    public String toString() {
        return "Sample[" + channels + "x" + height + "x" + width + ", label " + label + "]";
    }
}
