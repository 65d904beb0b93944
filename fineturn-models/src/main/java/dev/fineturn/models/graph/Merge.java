package dev.fineturn.models.graph;

import dev.fineturn.nn.Layer;
import dev.fineturn.ops.ShapeOps;
import dev.fineturn.tensor.Tensor;

import java.util.List;

/** Elementwise sum, product or channel concatenation of a node's inputs. */
public final class Merge extends Layer implements MultiInput {
    /** How the inputs combine. */
    public enum Kind { ADD, MULTIPLY, CONCAT }

    private final Kind kind;
    private final int axis;

    public Merge(Kind kind, int axis) {
        this.kind = kind;
        this.axis = axis;
    }

    public static Merge add() {
        return new Merge(Kind.ADD, 0);
    }

    public Kind kind() {
        return kind;
    }

    public int axis() {
        return axis;
    }

    @Override
    public Tensor forward(List<Tensor> inputs) {
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException(kind + ": no inputs");
        }
        if (kind == Kind.CONCAT) {
            return ShapeOps.concat(axis, inputs.toArray(Tensor[]::new));
        }
        Tensor acc = inputs.get(0);
        for (int i = 1; i < inputs.size(); i++) {
            acc = kind == Kind.ADD ? acc.add(inputs.get(i)) : acc.mul(inputs.get(i));
        }
        return acc;
    }

    @Override
    public Tensor forward(Tensor input) {
        return forward(List.of(input));
    }

    @Override
    public String toString() {
        return kind == Kind.CONCAT ? "Concat(axis=" + axis + ")" : kind.name().charAt(0) + kind.name().substring(1)
                .toLowerCase(java.util.Locale.ROOT);
    }
}
