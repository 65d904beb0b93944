package dev.fineturn.data;

import dev.fineturn.tensor.Tensor;

/**
 * A mini-batch on a backend: {@code images} [N, C, H, W], {@code labels} [N] (class indices as
 * floats), the same labels as ints, and each sample's index in the dataset.
 */
public record Batch(Tensor images, Tensor labels, int[] labelArray, int[] indices) {
    public int size() {
        return indices.length;
    }
}
