package dev.fineturn.tensor;

/**
 * The local backward of one op: given the gradient of its output, the gradients of its inputs
 * (null for an input that needs none). Runs with recording off.
 */
@FunctionalInterface
public interface BackwardFn {
    Tensor[] apply(Tensor gradOutput);
}
