package dev.fineturn.tensor;

import dev.fineturn.ops.Activations;
import dev.fineturn.ops.Conv2dOptions;
import dev.fineturn.ops.Convolution;
import dev.fineturn.ops.Losses;
import dev.fineturn.ops.MatMul;
import dev.fineturn.ops.Normalization;
import dev.fineturn.ops.Pooling;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.spi.Backend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AutogradTest {
    private final Backend b = ReferenceBackend.get();

    @Test
    void chainRuleOnASmallExpression() {
        // f = sum((x * y + x) / y) -> df/dx = 1 + 1/y, df/dy = -x/y^2
        Tensor x = Tensor.of(b, new float[]{1f, 2f, 3f}, 3).requiresGrad(true);
        Tensor y = Tensor.of(b, new float[]{2f, 4f, 5f}, 3).requiresGrad(true);
        x.mul(y).add(x).div(y).sum().backward();
        assertArrayEquals(new float[]{1.5f, 1.25f, 1.2f}, x.grad().toArray(), 1e-6f);
        assertArrayEquals(new float[]{-0.25f, -0.125f, -0.12f}, y.grad().toArray(), 1e-6f);
    }

    @Test
    void gradientsAccumulateAcrossBackwardCalls() {
        Tensor w = Tensor.of(b, new float[]{1f, -2f}, 2).requiresGrad(true);
        w.mul(3f).sum().backward();
        w.mul(3f).sum().backward();
        assertArrayEquals(new float[]{6f, 6f}, w.grad().toArray());
        w.zeroGrad();
        assertNull(w.grad());
    }

    @Test
    void leavesNeverShareAGradientStorage() {
        // add's backward hands one tensor to both inputs: at most one leaf may keep it.
        Tensor a = Tensor.of(b, new float[]{1f, 2f}, 2).requiresGrad(true);
        Tensor c = Tensor.of(b, new float[]{3f, 4f}, 2).requiresGrad(true);
        a.mul(1f).add(c).mul(2f).sum().backward();
        assertArrayEquals(new float[]{2f, 2f}, a.grad().toArray());
        assertArrayEquals(new float[]{2f, 2f}, c.grad().toArray());
        assertTrue(a.grad().storage() != c.grad().storage());
        // Nor with the seed, nor with a tensor a closure saved in the forward pass.
        Tensor seed = Tensor.of(b, new float[]{5f, 6f}, 2);
        Tensor d = Tensor.of(b, new float[]{1f, 1f}, 2).requiresGrad(true);
        d.add(Tensor.zeros(b, 2)).backward(seed, false);
        assertTrue(d.grad().storage() != seed.storage());
        Tensor saved = Tensor.of(b, new float[]{7f, 8f}, 2);
        Tensor e = Tensor.of(b, new float[]{0f, 0f}, 2).requiresGrad(true);
        Tensor out = Tensor.zeros(b, 2);
        Autograd.record(out, "custom", g -> new Tensor[]{saved}, e);
        out.backward(Tensor.of(b, new float[]{1f, 1f}, 2), false);
        assertTrue(e.grad().storage() != saved.storage());
        e.grad().copyFrom(Tensor.zeros(b, 2));
        assertArrayEquals(new float[]{7f, 8f}, saved.toArray());
    }

    @Test
    void anAdoptedGradientAccumulatesInPlaceWithoutTouchingOthers() {
        Tensor w = Tensor.of(b, new float[]{1f, -2f}, 2).requiresGrad(true);
        Tensor v = Tensor.of(b, new float[]{3f, 3f}, 2).requiresGrad(true);
        w.mul(v).sum().backward();
        Tensor first = w.grad();
        w.mul(v).sum().backward();
        assertArrayEquals(new float[]{6f, 6f}, w.grad().toArray());
        assertArrayEquals(new float[]{2f, -4f}, v.grad().toArray());
        assertTrue(first.storage() == w.grad().storage());
    }

    @Test
    void aTensorUsedTwiceGetsBothContributions() {
        Tensor x = Tensor.of(b, new float[]{3f}, 1).requiresGrad(true);
        x.mul(x).sum().backward();
        assertEquals(6f, x.grad().item(), 1e-6f);
    }

    @Test
    void noGradScopeRecordsNothing() {
        Tensor w = Tensor.of(b, new float[]{1f, 2f}, 2).requiresGrad(true);
        long before = Autograd.recordedNodes();
        Tensor y;
        try (var g = GradMode.noGrad()) {
            y = w.mul(2f).add(w).relu();
        }
        assertEquals(before, Autograd.recordedNodes());
        assertNull(y.gradFn());
        assertTrue(GradMode.isEnabled());
        assertThrows(IllegalStateException.class, () -> y.sum().backward());
    }

    @Test
    void frozenPrefixRecordsNoGraphNodes() {
        // A two-conv backbone whose parameters are frozen, and a trainable linear head.
        Tensor w1 = Tensor.randn(b, 1, 4, 3, 3, 3);
        Tensor gamma = Tensor.ones(b, 4);
        Tensor beta = Tensor.zeros(b, 4);
        Tensor rm = Tensor.zeros(b, 4);
        Tensor rv = Tensor.ones(b, 4);
        Tensor w2 = Tensor.randn(b, 2, 6, 4, 3, 3);
        Tensor head = Tensor.randn(b, 3, 5, 6).requiresGrad(true);
        Tensor x = Tensor.randn(b, 4, 2, 3, 8, 8);

        long before = Autograd.recordedNodes();
        Tensor f = Convolution.conv2d(x, w1, null, Conv2dOptions.of(1, 1));
        f = Normalization.batchNorm(f, gamma, beta, rm, rv, false, 0.1f, 1e-5f);
        f = Activations.relu6(f);
        f = Convolution.conv2d(f, w2, null, Conv2dOptions.of(2, 1));
        f = Pooling.globalAvgPool(f).flatten(1);
        assertEquals(before, Autograd.recordedNodes(), "the frozen prefix recorded graph nodes");
        assertNull(f.gradFn());
        assertTrue(!f.requiresGrad());

        Tensor loss = Losses.crossEntropy(MatMul.linear(f, head, null), new int[]{0, 4}, 0f);
        assertEquals(before + 2, Autograd.recordedNodes(), "only the head's linear and the loss are recorded");
        loss.backward();
        assertNotNull(head.grad());
        assertNull(w1.grad());
        assertNull(w2.grad());
    }

    @Test
    void backwardFreesTheGraphUnlessRetained() {
        Tensor w = Tensor.of(b, new float[]{2f}, 1).requiresGrad(true);
        Tensor loss = w.mul(w).sum();
        loss.backward(Tensor.of(b, new float[]{1f}), true);
        loss.backward();
        assertEquals(8f, w.grad().item(), 1e-6f);
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("already freed"), e.getMessage());
    }

    @Test
    void aFreedGraphHoldsNoActivationThroughTheLoss() {
        Tensor w = Tensor.of(b, new float[]{2f, 3f}, 2).requiresGrad(true);
        Tensor hidden = w.mul(w);
        Tensor loss = hidden.exp().sum();
        java.lang.ref.WeakReference<Tensor> activation = new java.lang.ref.WeakReference<>(hidden);
        hidden = null;
        loss.backward(Tensor.of(b, new float[]{1f}), true);
        assertTrue(reachableAfterGc(activation), "a retained graph keeps its activations");
        loss.backward();
        assertEquals(2f * (2f * 2f * (float) Math.exp(4f)), w.grad().toArray()[0], 0.05f);
        assertTrue(loss.gradFn().isReleased());
        assertFalse(reachableAfterGc(activation), "the loss still holds an activation of a freed graph");
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("already freed"), e.getMessage());
    }

    private static boolean reachableAfterGc(java.lang.ref.WeakReference<Tensor> ref) {
        for (int i = 0; i < 10 && ref.get() != null; i++) {
            System.gc();
            try {
                Thread.sleep(10);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        return ref.get() != null;
    }

    @Test
    void backwardOnANonScalarNeedsASeed() {
        Tensor w = Tensor.of(b, new float[]{1f, 2f}, 2).requiresGrad(true);
        Tensor y = w.mul(2f);
        assertThrows(IllegalArgumentException.class, y::backward);
        y.backward(Tensor.of(b, new float[]{1f, 10f}, 2), false);
        assertArrayEquals(new float[]{2f, 20f}, w.grad().toArray());
    }

    @Test
    void detachCutsTheGraph() {
        Tensor w = Tensor.of(b, new float[]{1f}, 1).requiresGrad(true);
        Tensor d = w.mul(2f).detach();
        assertTrue(!d.requiresGrad());
        assertNull(d.gradFn());
    }
}
