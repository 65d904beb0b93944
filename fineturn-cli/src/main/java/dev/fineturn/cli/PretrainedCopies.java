package dev.fineturn.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fineturn.nn.Classifier;
import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Fresh copies of a pretrained model for cross-validation folds and sweeps: each copy is rebuilt
 * from the recipe (without a new head; the trainer adds one) and given the pretrained weights, so
 * no fold starts from another's training. The original must not be trained while copies are taken.
 */
final class PretrainedCopies {
    private PretrainedCopies() {
    }

    static Supplier<Classifier> of(Classifier pretrained, ObjectNode recipe, Backend backend) {
        Map<String, Tensor> weights = pretrained.stateDict();
        ObjectNode base = recipe.deepCopy().put("newHead", false);
        return () -> {
            try {
                Classifier fresh = ModelFiles.rebuild(base.deepCopy(), backend).model();
                fresh.loadStateDict(weights, false);
                return fresh;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }
}
