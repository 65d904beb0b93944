package dev.fineturn.opencl;

import dev.fineturn.conformance.TrainingFixtures;
import org.junit.jupiter.api.Test;

/**
 * Whole training steps on OpenCL with the data already on the device: no host transfer, no
 * reference fallback, and the same parameters, buffers, gradients and losses as the reference
 * backend.
 */
class OpenClTrainingStepTest {
    @Test
    void stepsStayOnTheDeviceAndMatchTheReference() {
        OpenClBackend cl = OpenClTestDevice.backend();
        TrainingFixtures.stepsStayOnTheDeviceAndMatchTheReference(cl, OpenClBackend.NAME, cl::transfers);
    }
}
