package dev.fineturn.cuda;

import dev.fineturn.conformance.TrainingFixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Whole training steps on the GPU with the data already on the device: no host transfer, no
 * reference fallback, and the same parameters, buffers, gradients and losses as the reference
 * backend. Skipped, with the probe's reason, where there is no GPU.
 */
@Tag("cuda")
class CudaTrainingStepTest {
    @Test
    void stepsStayOnTheDeviceAndMatchTheReference() {
        stepsStayOnTheDeviceAndMatchTheReference(CudaTestDevice.backend());
    }

    /** Also run on the CPU emulation by CudaEmulatedBackendTest. */
    static void stepsStayOnTheDeviceAndMatchTheReference(CudaBackend cuda) {
        TrainingFixtures.stepsStayOnTheDeviceAndMatchTheReference(cuda, CudaBackend.NAME, cuda::transfers);
    }
}
