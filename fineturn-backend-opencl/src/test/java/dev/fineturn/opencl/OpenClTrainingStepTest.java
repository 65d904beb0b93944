package dev.fineturn.opencl;

import dev.fineturn.nn.Activation;
import dev.fineturn.nn.BatchNorm2d;
import dev.fineturn.nn.Conv2d;
import dev.fineturn.nn.Dropout;
import dev.fineturn.nn.Flatten;
import dev.fineturn.nn.Init;
import dev.fineturn.nn.Linear;
import dev.fineturn.nn.MaxPool2d;
import dev.fineturn.nn.Module;
import dev.fineturn.nn.Sequential;
import dev.fineturn.ops.Conv2dOptions;
import dev.fineturn.ops.Losses;
import dev.fineturn.optim.ParamGroup;
import dev.fineturn.optim.Sgd;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.spi.Backend;
import dev.fineturn.spi.FallbackLog;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.fineturn.opencl.DeviceArrays.assertClose;
import static dev.fineturn.opencl.DeviceArrays.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whole training steps on OpenCL with the data already on the device: no host transfer, no
 * reference fallback, and the same parameters, buffers, gradients and losses as the reference
 * backend.
 */
class OpenClTrainingStepTest {
    private static final int BATCH = 4;
    private static final int CLASSES = 5;
    private static final int STEPS = 2;

    private static Module model(Backend b) {
        Init.useBackend(b);
        Init.seed(2024);
        try {
            return new Sequential(
                    new Conv2d(3, 8, 3, 1, 1, false), new BatchNorm2d(8), Activation.relu(),
                    new Conv2d(8, 8, 3, 3, Conv2dOptions.of(1, 1).withGroups(8), true), new BatchNorm2d(8),
                    Activation.relu6(),
                    new MaxPool2d(2, 2), new Flatten(), new Dropout(0.2f), new Linear(8 * 5 * 5, CLASSES, true));
        } finally {
            Init.useBackend(null);
        }
    }

    private static Sgd sgd(Module m) {
        return new Sgd(List.of(new ParamGroup("all", m.parameters(), 0.05, 1e-4)), 0.9, 0, false);
    }

    private static Tensor step(Module m, Sgd opt, Tensor x, Tensor labels) {
        opt.zeroGrad();
        Tensor loss = Losses.crossEntropy(m.forward(x), labels, 0.1f);
        loss.backward();
        opt.step();
        return loss;
    }

    @Test
    void stepsStayOnTheDeviceAndMatchTheReference() {
        OpenClBackend cl = OpenClTestDevice.backend();
        Backend ref = ReferenceBackend.get();
        float[] xs = random(BATCH * 3 * 10 * 10, 61);
        float[] labels = {0f, 3f, 1f, 4f};

        Module mCl = model(cl);
        Sgd oCl = sgd(mCl);
        Tensor xCl = Tensor.of(cl, xs, BATCH, 3, 10, 10);
        Tensor yCl = Tensor.of(cl, labels, BATCH);
        Tensor[] lossCl = new Tensor[STEPS];
        long before = cl.transfers();
        for (int s = 0; s < STEPS; s++) {
            lossCl[s] = step(mCl, oCl, xCl, yCl);
        }
        cl.synchronize();
        assertEquals(0, cl.transfers() - before, "host-device transfers during the training steps");
        assertTrue(FallbackLog.fallbacks().stream().noneMatch(f -> f.startsWith(OpenClBackend.NAME + "/")),
                "opencl kernels that fell back to the reference: " + FallbackLog.fallbacks());

        Module mRef = model(ref);
        Sgd oRef = sgd(mRef);
        Tensor xRef = Tensor.of(ref, xs, BATCH, 3, 10, 10);
        Tensor yRef = Tensor.of(ref, labels, BATCH);
        for (int s = 0; s < STEPS; s++) {
            Tensor lossRef = step(mRef, oRef, xRef, yRef);
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
