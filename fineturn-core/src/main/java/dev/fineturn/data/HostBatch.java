package dev.fineturn.data;

import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.Tensor;

/** A batch assembled in host memory, not yet on a backend. */
record HostBatch(float[] images, int[] shape, int[] labels, int[] indices) {
    Batch upload(Backend backend) {
        float[] labelValues = new float[labels.length];
        for (int i = 0; i < labels.length; i++) {
            labelValues[i] = labels[i];
        }
        return new Batch(Tensor.of(backend, images, shape), Tensor.of(backend, labelValues, labels.length),
                labels, indices);
    }
}
