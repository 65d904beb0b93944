package dev.fineturn.models.graph;

import dev.fineturn.tensor.Tensor;

import java.util.List;

/** A graph layer that combines several inputs (add, concat, multiply). */
public interface MultiInput {
    Tensor forward(List<Tensor> inputs);
}
