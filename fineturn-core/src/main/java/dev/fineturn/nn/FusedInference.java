package dev.fineturn.nn;

import dev.fineturn.spi.ConvEpilogue;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;

/**
 * When a part of a network may run as compiled inference: each convolution with its batch norm
 * folded into its weights and bias, and the shift, the residual add and the activation in the
 * convolution's epilogue ({@link Conv2d#forwardFused}). That is when nothing needs a gradient
 * through it (no-grad mode, or a frozen part fed an input that records no graph) and every batch
 * norm in it normalises with its running statistics (eval mode, frozen, or
 * {@link BatchNorm2d#useRunningStatistics}). Training numerics of trainable layers never change:
 * a part with a parameter that trains runs the ordinary ops.
 *
 * <p>In training, a batch norm, a block's shortcut add and the activation after it run as one op
 * ({@link BatchNorm2d#forward(Tensor, Tensor, ConvEpilogue)}): the same bits, fewer tensors kept for backward.
 *
 * <p>{@code -Dfineturn.fusedInference=false} (or {@link #setEnabled}) runs every layer unfused.
 */
public final class FusedInference {
    private static volatile boolean enabled =
            !"false".equalsIgnoreCase(System.getProperty("fineturn.fusedInference", "true"));

    private static final java.util.concurrent.atomic.AtomicLong FOLDS = new java.util.concurrent.atomic.AtomicLong();

    private FusedInference() {
    }

    /** How many times a convolution has folded its weights so far (once per layer and change of its weights). */
    public static long folds() {
        return FOLDS.get();
    }

    static void countFold() {
        FOLDS.incrementAndGet();
    }

    public static boolean isEnabled() {
        return enabled;
    }

    /** Turns fusion on or off for every module; returns the previous setting. */
    public static boolean setEnabled(boolean on) {
        boolean previous = enabled;
        enabled = on;
        return previous;
    }

    /** True when {@code modules}, fed {@code x}, may run fused. */
    public static boolean applies(Tensor x, Layer... modules) {
        if (!enabled || x.rank() != 4) {
            return false;
        }
        boolean recording = GradMode.isEnabled();
        if (recording && x.requiresGrad()) {
            return false;
        }
        for (Layer m : modules) {
            for (Layer sub : m.namedModules().values()) {
                if (sub instanceof BatchNorm2d bn && !bn.normalisesWithRunningStatistics()) {
                    return false;
                }
                if (recording && sub.hasTrainableOwnParameter()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The epilogue of an activation module, or null where it has none that fuses. */
    static ConvEpilogue epilogueOf(Layer m) {
        if (m instanceof Activation a) {
            return switch (a.kind()) {
                case RELU -> ConvEpilogue.RELU;
                case RELU6 -> ConvEpilogue.RELU6;
                default -> null;
            };
        }
        return null;
    }
}
