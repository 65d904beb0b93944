package dev.fineturn.opencl;

import dev.fineturn.spi.Storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Moving test arrays to and from the device, and running kernels with no transfer. */
final class DeviceArrays {
    private final OpenClBackend b;

    DeviceArrays(OpenClBackend b) {
        this.b = b;
    }

    Storage up(float[] v) {
        return b.upload(v);
    }

    Storage zeros(int n) {
        return b.allocate(n);
    }

    float[] down(Storage s, int n) {
        float[] out = new float[n];
        b.read(s, 0, out, 0, n);
        return out;
    }

    /** Runs kernels and fails if they moved data between host and device. */
    void onDevice(Runnable kernels) {
        long before = b.transfers();
        kernels.run();
        assertEquals(before, b.transfers(), "kernel wrappers must not transfer between host and device");
    }
}
