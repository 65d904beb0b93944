package dev.fineturn.cli;

import dev.fineturn.models.bundle.ModelBundle;
import dev.fineturn.nn.Classifier;
import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Fresh copies of a pretrained model for cross-validation folds and sweeps: each copy is rebuilt
 * as the model was ({@link ModelBundle#rebuild}) and given the pretrained weights, so no fold
 * starts from another's training. The original must not be trained while copies are taken.
 */
final class PretrainedCopies {
    private PretrainedCopies() {
    }

    static Supplier<Classifier> of(Classifier pretrained, Backend backend) {
        Map<String, Tensor> weights = pretrained.stateDict();
        return () -> {
            try {
                Classifier fresh = ModelBundle.rebuild(pretrained, backend);
                fresh.loadStateDict(weights, false);
                return fresh;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }
}
