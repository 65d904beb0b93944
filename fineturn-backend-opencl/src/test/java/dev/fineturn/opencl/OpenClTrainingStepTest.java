package dev.fineturn.opencl;

import dev.fineturn.conformance.TrainingFixtures;
import dev.fineturn.nn.Module;
import dev.fineturn.optim.Sgd;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.spi.Backend;
import dev.fineturn.spi.FallbackLog;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.fineturn.conformance.TrainingFixtures.assertClose;
import static dev.fineturn.conformance.TrainingFixtures.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whole training steps on OpenCL with the data already on the device: no host transfer, no
 * reference fallback, and the same parameters, buffers, gradients and losses as the reference
 * backend.
 */
class OpenClTrainingStepTest {
    private static final int BATCH = 4;
    private static final int STEPS = 2;

    @Test
    void stepsStayOnTheDeviceAndMatchTheReference() {
        OpenClBackend cl = OpenClTestDevice.backend();
        Backend ref = ReferenceBackend.get();
        float[] xs = random(BATCH * 3 * 10 * 10, 61);
        float[] labels = {0f, 3f, 1f, 4f};

        Module mCl = TrainingFixtures.cnn(cl);
        Sgd oCl = TrainingFixtures.sgd(mCl);
        Tensor xCl = Tensor.of(cl, xs, BATCH, 3, 10, 10);
        Tensor yCl = Tensor.of(cl, labels, BATCH);
        Tensor[] lossCl = new Tensor[STEPS];
        long before = cl.transfers();
        for (int s = 0; s < STEPS; s++) {
            lossCl[s] = TrainingFixtures.step(mCl, oCl, xCl, yCl);
        }
        cl.synchronize();
        assertEquals(0, cl.transfers() - before, "host-device transfers during the training steps");
        assertTrue(FallbackLog.fallbacks().stream().noneMatch(f -> f.startsWith(OpenClBackend.NAME + "/")),
                "opencl kernels that fell back to the reference: " + FallbackLog.fallbacks());

        Module mRef = TrainingFixtures.cnn(ref);
        Sgd oRef = TrainingFixtures.sgd(mRef);
        Tensor xRef = Tensor.of(ref, xs, BATCH, 3, 10, 10);
        Tensor yRef = Tensor.of(ref, labels, BATCH);
        for (int s = 0; s < STEPS; s++) {
            Tensor lossRef = TrainingFixtures.step(mRef, oRef, xRef, yRef);
            assertClose("loss of step " + s, lossRef.toArray(), lossCl[s].toArray(), 1e-5);
        }
        Map<String, Tensor> stateCl = mCl.stateDict();
        mRef.stateDict().forEach((name, t) ->
                assertClose(name, t.toArray(), stateCl.get(name).toArray(), 1e-4));
        // A conv bias ahead of batch norm has a gradient that is zero up to rounding, hence the floor.
        Map<String, Tensor> paramsCl = mCl.namedParameters();
        mRef.namedParameters().forEach((name, t) ->
                assertClose("grad of " + name, t.grad().toArray(), paramsCl.get(name).grad().toArray(), 1e-3, 1e-2));
    }
}
