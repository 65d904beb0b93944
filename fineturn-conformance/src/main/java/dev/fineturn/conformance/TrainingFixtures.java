package dev.fineturn.conformance;

import dev.fineturn.nn.Activation;
import dev.fineturn.nn.BatchNorm2d;
import dev.fineturn.nn.Conv2d;
import dev.fineturn.nn.Dropout;
import dev.fineturn.nn.Flatten;
import dev.fineturn.nn.Init;
import dev.fineturn.nn.Linear;
import dev.fineturn.nn.MaxPool2d;
import dev.fineturn.nn.Layer;
import dev.fineturn.nn.Sequential;
import dev.fineturn.ops.Conv2dOptions;
import dev.fineturn.ops.Losses;
import dev.fineturn.optim.ParamGroup;
import dev.fineturn.optim.Sgd;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.spi.Backend;
import dev.fineturn.backend.FallbackLog;
import dev.fineturn.tensor.Tensor;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the device backends' tests share: the small CNN of their whole-training-step tests
 * (convolution, batch norm, ReLU, a depthwise strided convolution, ReLU6, max pooling, dropout, a
 * linear head, label-smoothed cross-entropy and SGD with momentum and weight decay; inputs 3 x 10 x 10),
 * seeded inputs, and the element-wise comparison against the reference.
 */
public final class TrainingFixtures {
    public static final int CLASSES = 5;

    private TrainingFixtures() {
    }

    public static Layer cnn(Backend b) {
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

    public static Sgd sgd(Layer m) {
        return new Sgd(List.of(new ParamGroup("all", m.parameters(), 0.05, 1e-4)), 0.9, 0, false);
    }

    public static Tensor step(Layer m, Sgd opt, Tensor x, Tensor labels) {
        opt.zeroGrad();
        Tensor loss = Losses.crossEntropy(m.forward(x), labels, 0.1f);
        loss.backward();
        opt.step();
        return loss;
    }

    /**
     * Two training steps of {@link #cnn} on {@code device} with the data already there: no host
     * transfer ({@code transfers} is the backend's counter), no kernel of {@code name} falling back to
     * the reference, and the same losses, parameters, buffers and gradients as the reference backend.
     */
    public static void stepsStayOnTheDeviceAndMatchTheReference(Backend device, String name, LongSupplier transfers) {
        int batch = 4;
        int steps = 2;
        Backend ref = ReferenceBackend.get();
        float[] xs = random(batch * 3 * 10 * 10, 61);
        float[] labels = {0f, 3f, 1f, 4f};

        Layer mDev = cnn(device);
        Sgd oDev = sgd(mDev);
        Tensor xDev = Tensor.of(device, xs, batch, 3, 10, 10);
        Tensor yDev = Tensor.of(device, labels, batch);
        Tensor[] lossDev = new Tensor[steps];
        long before = transfers.getAsLong();
        for (int s = 0; s < steps; s++) {
            lossDev[s] = step(mDev, oDev, xDev, yDev);
        }
        device.synchronize();
        assertEquals(0, transfers.getAsLong() - before, "host-device transfers during the training steps");
        assertTrue(FallbackLog.fallbacks().stream().noneMatch(f -> f.startsWith(name + "/")),
                name + " kernels that fell back to the reference: " + FallbackLog.fallbacks());

        Layer mRef = cnn(ref);
        Sgd oRef = sgd(mRef);
        Tensor xRef = Tensor.of(ref, xs, batch, 3, 10, 10);
        Tensor yRef = Tensor.of(ref, labels, batch);
        for (int s = 0; s < steps; s++) {
            Tensor lossRef = step(mRef, oRef, xRef, yRef);
            assertClose("loss of step " + s, lossRef.toArray(), lossDev[s].toArray(), 1e-5);
        }
        Map<String, Tensor> stateDev = mDev.stateDict();
        assertEquals(mRef.stateDict().keySet(), stateDev.keySet(), "state entries");
        mRef.stateDict().forEach((n, t) -> assertClose(n, t.toArray(), stateDev.get(n).toArray(), 1e-4));
        // A conv bias ahead of batch norm has a gradient that is zero up to rounding, hence the floor.
        Map<String, Tensor> paramsDev = mDev.namedParameters();
        assertEquals(mRef.namedParameters().keySet(), paramsDev.keySet(), "parameters");
        mRef.namedParameters().forEach((n, t) ->
                assertClose("grad of " + n, t.grad().toArray(), paramsDev.get(n).grad().toArray(), 1e-3, 1e-2));
    }

    public static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    /** Element-wise within rtol of the largest expected magnitude; NaN must meet NaN. */
    public static void assertClose(String what, float[] expected, float[] actual, double rtol) {
        assertClose(what, expected, actual, rtol, 1e-6);
    }

    /** As above, with the magnitude taken as at least {@code minScale}. */
    public static void assertClose(String what, float[] expected, float[] actual, double rtol, double minScale) {
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
