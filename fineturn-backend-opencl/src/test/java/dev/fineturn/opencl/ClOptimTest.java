package dev.fineturn.opencl;

import dev.fineturn.reference.ElementwiseKernels;
import dev.fineturn.reference.OptimizerKernels;
import dev.fineturn.spi.SgdParams;
import dev.fineturn.spi.Storage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.fineturn.conformance.TrainingFixtures.assertClose;
import static dev.fineturn.conformance.TrainingFixtures.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Dropout bit-identity across seeds and rates, SGD without a buffer, and the transfer counter. */
class ClOptimTest {
    private static OpenClBackend backend;
    private static DeviceArrays d;

    @BeforeAll
    static void device() {
        backend = OpenClTestDevice.backend();
        d = new DeviceArrays(backend);
    }

    @Test
    void dropoutMaskIsBitIdenticalForAnySeedAndRate() {
        int n = 100_003;
        Storage mask = d.zeros(n);
        for (long seed : new long[]{0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 123456789L}) {
            for (float p : new float[]{0f, 0.1f, 0.5f, 0.999f, 1f}) {
                float[] expected = new float[n];
                ElementwiseKernels.dropoutMask(seed, p, expected, n);
                d.onDevice(() -> backend.dropoutMask(seed, p, mask, n));
                assertArrayEquals(expected, d.down(mask, n), "seed " + seed + " p " + p);
            }
        }
    }

    @Test
    void sgdWithoutMomentumBufferMatchesReference() {
        int n = 1000;
        float[] p = random(n, 51);
        float[] g = random(n, 52);
        for (SgdParams sp : new SgdParams[]{new SgdParams(0.1f, 0f, 0f, 1e-2f, false, true),
            new SgdParams(0.1f, 0.9f, 0f, 0f, false, true)}) {
            float[] expected = p.clone();
            OptimizerKernels.sgd(sp, expected, g.clone(), new float[n], n);
            Storage sp1 = d.up(p);
            Storage sg = d.up(g);
            d.onDevice(() -> backend.sgdStep(sp, sp1, sg, null, n));
            assertClose("sgd " + sp, expected, d.down(sp1, n), 1e-6);
        }
    }

    @Test
    void readAndWriteEachCountOneTransfer() {
        long before = backend.transfers();
        Storage s = d.up(new float[]{1f, 2f});
        d.down(s, 2);
        assertEquals(before + 2, backend.transfers());
    }
}
