package dev.fineturn.tensor;

/** A recorded op in the autograd graph: its inputs and its local backward. */
public final class Node {
    private final String op;
    final Tensor[] inputs;
    BackwardFn backward;

    Node(String op, Tensor[] inputs, BackwardFn backward) {
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
    }

    public String op() {
        return op;
    }

    public int inputCount() {
        return inputs.length;
    }

    /** True once backward has run and released the saved tensors. */
    public boolean isReleased() {
        return backward == null;
    }

    /**
     * Drops the saved tensors and the references to the inputs, so that a graph whose backward has run keeps
     * no activation alive through a tensor the caller still holds (the loss, the logits).
     */
    void release() {
        backward = null;
        java.util.Arrays.fill(inputs, null);
    }
}
