package dev.fineturn.cpu;

import dev.fineturn.spi.Storage;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.fail;

/** Inputs and comparisons shared by the kernel-level tests against the reference kernels. */
final class KernelFixtures {
    static final CpuBackend CPU = CpuBackend.get();

    private KernelFixtures() {
    }

    static float[] uniform(int n, long seed, float lo, float hi) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = lo + (hi - lo) * (float) r.nextDouble();
        }
        return v;
    }

    static float[] signed(int n, long seed) {
        return uniform(n, seed, -1f, 1f);
    }

    static Storage upload(float[] v) {
        return CPU.upload(v);
    }

    static float[] read(Storage s) {
        float[] out = new float[(int) s.length()];
        CPU.read(s, 0, out, 0, out.length);
        return out;
    }

    /** |actual - expected| <= rtol * max(|expected|, 0.1 * largest |expected|) elementwise. */
    static void assertClose(String what, float[] expected, float[] actual, double rtol) {
        double scale = 1e-30;
        for (float e : expected) {
            scale = Float.isFinite(e) ? Math.max(scale, Math.abs(e)) : scale;
        }
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] == actual[i] || Float.isNaN(expected[i]) && Float.isNaN(actual[i])) {
                continue;
            }
            double tol = rtol * Math.max(Math.abs(expected[i]), 0.1 * scale);
            if (!(Math.abs(expected[i] - actual[i]) <= tol)) {
                fail(what + ": element " + i + " expected " + expected[i] + " but was " + actual[i]);
            }
        }
    }
}
