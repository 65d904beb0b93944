package dev.fineturn.nn;

import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.Tensor;

import java.util.Arrays;

/**
 * An intermediate output of a fused block, allocated once and reused by every later batch of the
 * same shape: the block reads it before returning, and nothing outside the block sees it. A call
 * that finds it taken (another thread inside the same block) gets a fresh tensor.
 */
public final class PlannedBuffer {
    private Tensor held;
    private boolean taken;

    /** The buffer for an output of {@code shape} on {@code backend}; give it back with {@link #release}. */
    public synchronized Tensor take(Backend backend, int... shape) {
        if (taken) {
            return Tensor.zeros(backend, shape);
        }
        taken = true;
        if (held == null || held.backend() != backend || !Arrays.equals(held.shape(), shape)) {
            held = Tensor.zeros(backend, shape);
        }
        return held;
    }

    public synchronized void release(Tensor t) {
        if (t == held) {
            taken = false;
        }
    }
}
