package dev.fineturn.data;

import dev.fineturn.ops.ShapeOps;
import dev.fineturn.tensor.Tensor;

import java.util.Arrays;
import java.util.Locale;

/**
 * The input convention of a pretrained network: how images with pixels in [0, 1] (what every
 * fineturn data set yields) become what the network was trained on. Per channel
 * {@code (x - mean[c]) / std[c]}, after reversing the channels for BGR networks. A
 * {@link dev.fineturn.nn.Classifier} carries one and applies it at the start of every forward pass,
 * so training, validation, features, evaluation and prediction all see the same input.
 *
 * <ul>
 *   <li>{@code none}: pixels in [0, 1] as they are;</li>
 *   <li>{@code imagenet}: torchvision/timm, ImageNet mean and standard deviation (also Keras' "torch" mode);</li>
 *   <li>{@code tf}: Keras applications' "tf" mode, pixels scaled to [-1, 1];</li>
 *   <li>{@code caffe}: Keras applications' "caffe" mode, BGR on a 0-255 scale minus the ImageNet mean;</li>
 *   <li>{@code mean=a,b,c,std=d,e,f}: any other statistics, on the [0, 1] scale.</li>
 * </ul>
 */
public record Preprocessing(String name, float[] mean, float[] std, boolean bgr) {
    public static final Preprocessing NONE = new Preprocessing("none", new float[0], new float[0], false);
    public static final Preprocessing IMAGENET = new Preprocessing("imagenet",
            new float[]{0.485f, 0.456f, 0.406f}, new float[]{0.229f, 0.224f, 0.225f}, false);
    public static final Preprocessing TF = new Preprocessing("tf", new float[]{0.5f}, new float[]{0.5f}, false);
    public static final Preprocessing CAFFE = new Preprocessing("caffe",
            new float[]{103.939f / 255f, 116.779f / 255f, 123.68f / 255f},
            new float[]{1f / 255f, 1f / 255f, 1f / 255f}, true);

    public Preprocessing {
        if (mean.length != std.length) {
            throw new IllegalArgumentException("preprocessing " + name + ": " + mean.length + " means and "
                    + std.length + " standard deviations; give one of each per channel");
        }
        for (float s : std) {
            if (!(s > 0) || !Float.isFinite(s)) {
                throw new IllegalArgumentException("preprocessing " + name + ": standard deviation " + s
                        + " must be positive");
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** Parses {@code none}, {@code imagenet} (or {@code torch}), {@code tf}, {@code caffe} or {@code mean=..,std=..}. */
    public static Preprocessing parse(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "none", "", "identity", "0-1", "[0,1]" -> NONE;
            case "imagenet", "torch", "torchvision" -> IMAGENET;
            case "tf", "[-1,1]", "-1-1" -> TF;
            case "caffe" -> CAFFE;
            default -> custom(spec);
        };
    }

    private static Preprocessing custom(String spec) {
        String s = spec.replace(" ", "").toLowerCase(Locale.ROOT);
        int m = s.indexOf("mean=");
        int d = s.indexOf("std=");
        if (m < 0 || d < 0) {
            throw new IllegalArgumentException("unknown preprocessing '" + spec
                    + "'; known: imagenet, tf, caffe, none, or mean=R,G,B,std=R,G,B (on the [0,1] scale)");
        }
        String means = m < d ? s.substring(m + 5, d) : s.substring(m + 5);
        String stds = d < m ? s.substring(d + 4, m) : s.substring(d + 4);
        return new Preprocessing(spec.trim(), numbers(means, spec), numbers(stds, spec), false);
    }

    private static float[] numbers(String list, String spec) {
        String[] parts = list.replaceAll("^[,;:]+|[,;:]+$", "").split("[,;:]");
        float[] out = new float[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) {
                out[i] = Float.parseFloat(parts[i]);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("preprocessing '" + spec + "': '" + list + "' is not a list of numbers");
        }
        return out;
    }

    public boolean isIdentity() {
        return mean.length == 0 && !bgr;
    }

    /** The text {@link #parse} reads back into this preprocessing. */
    public String spec() {
        if (this.equals(NONE) || this.equals(IMAGENET) || this.equals(TF) || this.equals(CAFFE)) {
            return name;
        }
        return "mean=" + join(mean) + ",std=" + join(std);
    }

    private static String join(float[] v) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            b.append(i == 0 ? "" : ",").append(v[i]);
        }
        return b.toString();
    }

    /** Applies the convention to an NCHW batch of [0, 1] pixels. */
    public Tensor apply(Tensor x) {
        if (isIdentity()) {
            return x;
        }
        int c = x.dim(1);
        if (mean.length != 1 && mean.length != c) {
            throw new IllegalArgumentException("preprocessing " + name + ": statistics for " + mean.length
                    + " channels, the input has " + c + " (shape " + dev.fineturn.tensor.Shape.str(x.shape()) + ")");
        }
        Tensor y = x;
        if (bgr && c == 3) {
            y = ShapeOps.concat(1, x.slice(1, 2, 3), x.slice(1, 1, 2), x.slice(1, 0, 1));
        }
        float[] scale = new float[mean.length];
        float[] shift = new float[mean.length];
        for (int i = 0; i < mean.length; i++) {
            scale[i] = 1f / std[i];
            shift[i] = -mean[i] / std[i];
        }
        return y.mul(Tensor.of(x.backend(), scale, 1, mean.length, 1, 1))
                .add(Tensor.of(x.backend(), shift, 1, mean.length, 1, 1));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Preprocessing p && p.bgr == bgr && Arrays.equals(p.mean, mean)
                && Arrays.equals(p.std, std);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(mean) * 31 + Arrays.hashCode(std) + (bgr ? 1 : 0);
    }

    @Override
    public String toString() {
        return spec();
    }
}
