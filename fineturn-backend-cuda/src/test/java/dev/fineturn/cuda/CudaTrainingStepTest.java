package dev.fineturn.cuda;

import dev.fineturn.conformance.TrainingFixtures;
import dev.fineturn.nn.Module;
import dev.fineturn.optim.Sgd;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.spi.Backend;
import dev.fineturn.spi.FallbackLog;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.fineturn.conformance.TrainingFixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whole training steps on the GPU with the data already on the device: no host transfer, no
 * reference fallback, and the same parameters, buffers, gradients and losses as the reference
 * backend. Skipped, with the probe's reason, where there is no GPU.
 */
@Tag("cuda")
class CudaTrainingStepTest {
    private static final int BATCH = 4;
    private static final int STEPS = 2;

    @Test
    void stepsStayOnTheDeviceAndMatchTheReference() {
        stepsStayOnTheDeviceAndMatchTheReference(CudaTestDevice.backend());
    }

    /** Also run on the CPU emulation by CudaEmulatedBackendTest. */
    static void stepsStayOnTheDeviceAndMatchTheReference(CudaBackend cuda) {
        Backend ref = ReferenceBackend.get();
        float[] xs = TrainingFixtures.random(BATCH * 3 * 10 * 10, 61);
        float[] labels = {0f, 3f, 1f, 4f};

        Module mCuda = TrainingFixtures.cnn(cuda);
        Sgd oCuda = TrainingFixtures.sgd(mCuda);
        Tensor xCuda = Tensor.of(cuda, xs, BATCH, 3, 10, 10);
        Tensor yCuda = Tensor.of(cuda, labels, BATCH);
        Tensor[] lossCuda = new Tensor[STEPS];
        long before = cuda.transfers();
        for (int s = 0; s < STEPS; s++) {
            lossCuda[s] = TrainingFixtures.step(mCuda, oCuda, xCuda, yCuda);
        }
        cuda.synchronize();
        assertEquals(0, cuda.transfers() - before, "host-device transfers during the training steps");
        assertTrue(FallbackLog.fallbacks().stream().noneMatch(f -> f.startsWith(CudaBackend.NAME + "/")),
                "cuda kernels that fell back to the reference: " + FallbackLog.fallbacks());

        Module mRef = TrainingFixtures.cnn(ref);
        Sgd oRef = TrainingFixtures.sgd(mRef);
        Tensor xRef = Tensor.of(ref, xs, BATCH, 3, 10, 10);
        Tensor yRef = Tensor.of(ref, labels, BATCH);
        for (int s = 0; s < STEPS; s++) {
            Tensor lossRef = TrainingFixtures.step(mRef, oRef, xRef, yRef);
            assertClose("loss of step " + s, lossRef.toArray(), lossCuda[s].toArray(), 1e-5, 1e-6);
        }
        Map<String, Tensor> stateCuda = mCuda.stateDict();
        mRef.stateDict().forEach((name, t) ->
                assertClose(name, t.toArray(), stateCuda.get(name).toArray(), 1e-4, 1e-6));
        // A conv bias ahead of batch norm has a gradient that is zero up to rounding, hence the floor.
        Map<String, Tensor> paramsCuda = mCuda.namedParameters();
        mRef.namedParameters().forEach((name, t) ->
                assertClose("grad of " + name, t.grad().toArray(), paramsCuda.get(name).grad().toArray(), 1e-3, 1e-2));
    }
}
