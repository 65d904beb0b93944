package dev.fineturn.opencl;

import dev.fineturn.spi.Storage;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Moving test arrays to and from the device, running kernels with no transfer, and comparing. */
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

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    /** Element-wise within rtol of the largest expected magnitude; NaN must meet NaN. */
    static void assertClose(String what, float[] expected, float[] actual, double rtol) {
        assertClose(what, expected, actual, rtol, 1e-6);
    }

    /** As above, with the magnitude taken as at least {@code minScale}. */
    static void assertClose(String what, float[] expected, float[] actual, double rtol, double minScale) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = minScale;
        for (float e : expected) {
            if (Float.isFinite(e)) {
                scale = Math.max(scale, Math.abs(e));
            }
        }
        for (int i = 0; i < expected.length; i++) {
            boolean ok = Float.isNaN(expected[i]) ? Float.isNaN(actual[i])
                    : expected[i] == actual[i] || Math.abs(expected[i] - actual[i]) <= rtol * scale;
            if (!ok) {
                fail(what + ": element " + i + " expected " + expected[i] + " but was " + actual[i]
                        + " (tolerance " + rtol * scale + ")");
            }
        }
    }
}
