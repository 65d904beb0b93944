package dev.fineturn.train;

import dev.fineturn.data.Batch;
import dev.fineturn.data.DataLoader;
import dev.fineturn.data.Dataset;
import dev.fineturn.data.Transform;
import dev.fineturn.nn.Layer;
import dev.fineturn.ops.Losses;
import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;

/** Scores a model on a dataset in evaluation mode: loss, accuracy, per-class metrics. */
public final class Evaluation {
    private Evaluation() {
    }

    public static ClassificationMetrics evaluate(Layer model, Dataset data, int batchSize, Backend backend,
                                                 Transform transform, int numClasses) {
        boolean wasTraining = model.isTraining();
        model.eval();
        ClassificationMetrics.Accumulator acc = new ClassificationMetrics.Accumulator(numClasses);
        DataLoader loader = DataLoader.builder(data).batchSize(batchSize).shuffle(false).backend(backend)
                .transform(transform).build();
        try (var g = GradMode.noGrad()) {
            for (Batch b : loader.epoch(0)) {
                Tensor logits = model.forward(b.images());
                double loss = Losses.crossEntropy(logits, b.labels(), 0f).item();
                acc.add(logits.toArray(), b.labelArray(), loss);
            }
        } finally {
            model.train(wasTraining);
        }
        return acc.result();
    }
}
