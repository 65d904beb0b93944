package dev.fineturn.models.onnx;

import dev.fineturn.models.graph.MultiInput;
import dev.fineturn.models.onnx.proto.Onnx;
import dev.fineturn.nn.Layer;
import dev.fineturn.tensor.Tensor;

import java.util.List;

/**
 * An imported operator without trainable weights: a function of its ONNX operands in order, some
 * of them run-time inputs and some constants, which it keeps as buffers (so they move with the
 * module between backends). Absent optional operands are passed as null.
 */
final class OnnxOp extends Layer implements MultiInput {
    static final int ABSENT = Integer.MIN_VALUE;

    /** The operator's computation on its operands. */
    @FunctionalInterface
    interface Fn {
        Tensor apply(Tensor[] operands);
    }

    private final String description;
    private final int[] sources;
    private final Fn fn;
    private Origin origin;

    /**
     * The ONNX node this operator computes exactly, so that export can write it again: its
     * operands in ONNX order are run-time inputs of this operator, constants, or absent.
     */
    record Origin(Onnx.NodeProto node, int opset, List<Operand> operands) {
        Origin {
            operands = List.copyOf(operands);
        }
    }

    /** One operand of an {@link Origin}. */
    sealed interface Operand permits Operand.Input, Operand.Constant, Operand.Absent {
        /** This operator's run-time input {@code index}. */
        record Input(int index) implements Operand {
        }

        /** A value known at load time (an initializer, a Constant node or folded shape arithmetic). */
        record Constant(OnnxTensor value) implements Operand {
        }

        /** An optional operand left out. */
        record Absent() implements Operand {
        }
    }

    /** {@code sources[i]}: run-time input index (>= 0), constant {@code -(k + 1)}, or {@link #ABSENT}. */
    OnnxOp(String description, int[] sources, List<Tensor> constants, Fn fn) {
        this.description = description;
        this.sources = sources.clone();
        this.fn = fn;
        for (int k = 0; k < constants.size(); k++) {
            registerBuffer("c" + k, constants.get(k));
        }
    }

    /** The node this operator stands for, or null when the importer composed it of several. */
    Origin origin() {
        return origin;
    }

    void setOrigin(Origin origin) {
        this.origin = origin;
    }

    @Override
    public Tensor forward(List<Tensor> inputs) {
        Tensor[] operands = new Tensor[sources.length];
        for (int i = 0; i < sources.length; i++) {
            int s = sources[i];
            operands[i] = s == ABSENT ? null : s >= 0 ? inputs.get(s) : buffer("c" + (-s - 1));
        }
        return fn.apply(operands);
    }

    @Override
    public Tensor forward(Tensor input) {
        return forward(List.of(input));
    }

    @Override
    public String toString() {
        return description;
    }
}
