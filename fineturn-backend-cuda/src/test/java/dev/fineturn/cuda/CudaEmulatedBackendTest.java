package dev.fineturn.cuda;

import dev.fineturn.spi.Storage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real CudaBackend, its planners and kernels.cu together without a GPU: the backend runs on
 * {@link EmulatedDriver}, which executes every launch on the CPU emulation. Checks a whole
 * training step (no transfers, no fallback, the reference's numbers) and that the emulator knows
 * every kernel of the PTX. Skipped when g++ is not on the PATH.
 */
class CudaEmulatedBackendTest {
    private static EmulatedDriver driver;

    @BeforeAll
    static void start() throws Exception {
        driver = EmulatedDriver.shared();
    }

    @Test
    void theEmulatorRunsEveryKernelOfThePtx() {
        assertEquals(PtxSignatures.entries().keySet(), driver.kernels());
        assertTrue(PtxSignatures.synchronizing().containsAll(java.util.List.of("gemm_large", "gemm_small",
                "softmax_rows", "bn_statistics", "sum_reduce_block", "conv_bwd_weights_direct")));
        assertTrue(!PtxSignatures.synchronizing().contains("fill"));
    }

    @Test
    void trainingStepsStayOnTheDeviceAndMatchTheReference() {
        CudaTrainingStepTest.stepsStayOnTheDeviceAndMatchTheReference(new CudaBackend(driver));
    }

    /** The GPU test's thousand steps, shortened; the emulator counts bytes exactly, so no slack. */
    @Test
    void trainingStepsReturnTheirMemory() throws InterruptedException {
        CudaMemoryTest.stepsDoNotGrowDeviceMemory(new CudaBackend(driver), 4, 3, 10, 0);
    }

    @Test
    void theEmulatorRefusesCopiesOutsideABuffer() {
        CudaBackend b = new CudaBackend(driver);
        Storage s = b.allocate(4);
        assertThrows(IllegalStateException.class, () -> b.write(new float[8], 0, s, 0, 8));
        float[] back = new float[4];
        b.read(s, 0, back, 0, 4);
        assertEquals(0f, back[3], "the emulator keeps serving after a refused request");
    }
}
