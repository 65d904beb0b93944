package dev.fineturn.opencl;

import dev.fineturn.reference.GemmKernels;
import dev.fineturn.spi.GemmSpec;
import dev.fineturn.spi.Storage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static dev.fineturn.conformance.TrainingFixtures.assertClose;
import static dev.fineturn.conformance.TrainingFixtures.random;

/**
 * GEMM against the reference, on both kernel paths, on sizes spanning several tiles with ragged
 * edges, several k chunks (k = 600), several column chunks (n = 4133), k = 0, and a batch of 70 that
 * the packed path splits into two launches (68 + 2).
 */
class ClGemmTest {
    private static OpenClBackend backend;
    private static DeviceArrays d;

    @BeforeAll
    static void device() {
        backend = OpenClTestDevice.backend();
        d = new DeviceArrays(backend);
    }

    @ParameterizedTest
    @CsvSource({"131, 77, 45, 2", "64, 64, 64, 1", "1, 200, 17, 3", "150, 1, 300, 1", "65, 129, 1, 2",
        "13, 37, 600, 2", "7, 4133, 5, 1", "5, 9, 0, 2", "60, 5, 300, 70"})
    void everyTransposeMatchesReference(int m, int n, int k, int batch) {
        boolean original = backend.cpuKernels();
        try {
            for (boolean packed : new boolean[]{true, false}) {
                backend.cpuKernels(packed);
                check(m, n, k, batch, packed ? "cpu kernels " : "gpu kernels ");
            }
        } finally {
            backend.cpuKernels(original);
        }
    }

    private void check(int m, int n, int k, int batch, String path) {
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                GemmSpec spec = new GemmSpec(batch, m, n, k, ta, tb, (long) m * k, 0, (long) m * n);
                float[] a = random(batch * m * k + 3, 71);
                float[] b = random(k * n + 3, 72);
                float[] c = random(batch * m * n + 3, 73);
                float[] expected = c.clone();
                GemmKernels.gemm(spec, 1.25f, a, 3, b, 3, 0.5f, expected, 3);
                Storage sa = d.up(a);
                Storage sb = d.up(b);
                Storage sc = d.up(c);
                d.onDevice(() -> backend.gemm(spec, 1.25f, sa, 3, sb, 3, 0.5f, sc, 3));
                assertClose(path + spec, expected, d.down(sc, c.length), 1e-5);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void packedPanelsBoundTheBatchPerLaunch() {
        // 60 rows = 10 row panels of 6, k chunk 256: 15,360 floats per batch, 68 fit in 2^20
        org.junit.jupiter.api.Assertions.assertEquals(68, ClPackedGemm.batchSlice(70, 10, 256));
        org.junit.jupiter.api.Assertions.assertEquals(3, ClPackedGemm.batchSlice(3, 10, 256));
        org.junit.jupiter.api.Assertions.assertEquals(1, ClPackedGemm.batchSlice(5, 1000, 256));
        // columns per chunk: a multiple of 16 within 2^20 floats of B panels, never below 16
        org.junit.jupiter.api.Assertions.assertEquals(4096, ClPackedGemm.columnChunk(1, 100_000, 256));
        org.junit.jupiter.api.Assertions.assertEquals(512, ClPackedGemm.columnChunk(1, 100_000, 2048));
        org.junit.jupiter.api.Assertions.assertEquals(48, ClPackedGemm.columnChunk(1, 37, 256));
        org.junit.jupiter.api.Assertions.assertEquals(16, ClPackedGemm.columnChunk(1000, 100_000, 256));
        // narrow outputs take long k chunks
        org.junit.jupiter.api.Assertions.assertEquals(2048, ClPackedGemm.kChunk(64));
        org.junit.jupiter.api.Assertions.assertEquals(256, ClPackedGemm.kChunk(65));
    }

    @org.junit.jupiter.api.Test
    void kernelFamilyFollowsTheDeviceTypeAndRejectsAnUnknownChoice() {
        ClDevice cpu = new ClDevice(0, 0, null, null, "cpu", "PoCL", false);
        ClDevice gpu = new ClDevice(0, 1, null, null, "gpu", "vendor", true);
        String before = System.getProperty(OpenClBackend.KERNELS_PROPERTY);
        try {
            System.clearProperty(OpenClBackend.KERNELS_PROPERTY);
            org.junit.jupiter.api.Assertions.assertTrue(OpenClBackend.cpuKernelsByDefault(cpu));
            org.junit.jupiter.api.Assertions.assertFalse(OpenClBackend.cpuKernelsByDefault(gpu));
            System.setProperty(OpenClBackend.KERNELS_PROPERTY, "cpu");
            org.junit.jupiter.api.Assertions.assertTrue(OpenClBackend.cpuKernelsByDefault(gpu));
            System.setProperty(OpenClBackend.KERNELS_PROPERTY, "fpga");
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> OpenClBackend.cpuKernelsByDefault(cpu));
            org.junit.jupiter.api.Assertions.assertEquals(
                    "fineturn.opencl.kernels must be 'cpu' or 'gpu', not 'fpga'", e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(OpenClBackend.KERNELS_PROPERTY);
            } else {
                System.setProperty(OpenClBackend.KERNELS_PROPERTY, before);
            }
        }
    }
}
