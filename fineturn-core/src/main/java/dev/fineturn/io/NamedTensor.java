package dev.fineturn.io;

import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.Tensor;

import java.util.Arrays;

/** A named float32 array with its shape, as read from or written to a weight file. */
public record NamedTensor(String name, int[] shape, float[] data) {
    public NamedTensor {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " does not match "
                    + data.length + " values");
        }
    }

    public static NamedTensor of(String name, Tensor t) {
        return new NamedTensor(name, t.shape(), t.toArray());
    }

    public Tensor toTensor(Backend backend) {
        return Tensor.of(backend, data, shape);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
