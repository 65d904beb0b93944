package dev.fineturn.models.match;

import java.util.Locale;

/**
 * What a tensor is for, read from the last part of its name in PyTorch or Keras style
 * ({@code layer1.0.bn1.running_var}, {@code conv1/kernel:0}), so tensors from differently named
 * files can be lined up by role as well as by shape.
 */
enum TensorRole {
    WEIGHT, BIAS, RUNNING_MEAN, RUNNING_VAR, COUNTER, OTHER;

    static TensorRole of(String name) {
        String leaf = name.replaceFirst(":\\d+$", "");
        int cut = Math.max(leaf.lastIndexOf('.'), leaf.lastIndexOf('/'));
        leaf = leaf.substring(cut + 1).toLowerCase(Locale.ROOT);
        return switch (leaf) {
            case "weight", "kernel", "gamma", "scale", "depthwise_kernel", "pointwise_kernel", "embeddings" -> WEIGHT;
            case "bias", "beta" -> BIAS;
            case "running_mean", "moving_mean" -> RUNNING_MEAN;
            case "running_var", "moving_variance" -> RUNNING_VAR;
            case "num_batches_tracked" -> COUNTER;
            default -> OTHER;
        };
    }

    boolean compatible(TensorRole other) {
        return this == other || this == OTHER || other == OTHER;
    }
}
