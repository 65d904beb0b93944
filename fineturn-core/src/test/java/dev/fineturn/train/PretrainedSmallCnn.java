package dev.fineturn.train;

import dev.fineturn.nn.Init;
import dev.fineturn.nn.SmallCnn;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small CNN pretrained on task A (orientation), once per JVM, on the reference backend: the
 * "pretrained network" the transfer tests fine-tune on task B.
 */
final class PretrainedSmallCnn {
    private static Map<String, Tensor> weights;
    private static double accuracy;

    private PretrainedSmallCnn() {
    }

    private static synchronized void pretrain() {
        if (weights != null) {
            return;
        }
        Init.useBackend(ReferenceBackend.get());
        Init.seed(1);
        SmallCnn model = new SmallCnn(3, 4);
        TrainConfig cfg = TrainConfig.defaultsFor(Strategy.SCRATCH).withEpochs(4).withBatchSize(16)
                .withOptimizer(TrainConfig.OptimizerKind.ADAMW, 1e-2, 1.0).withValidationFraction(0.2);
        FitResult r = new Trainer(cfg).fit(model, Strategy.SCRATCH, SyntheticTasks.orientation(400, 1), null);
        accuracy = r.best().top1();
        Map<String, Tensor> w = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> w.put(k, v.copy()));
        weights = w;
    }

    /** The pretrained weights (copies; do not modify). */
    static Map<String, Tensor> weights() {
        pretrain();
        return weights;
    }

    /** Validation accuracy of the pretraining on task A. */
    static double accuracy() {
        pretrain();
        return accuracy;
    }

    /** A fresh 4-class network holding the pretrained weights. */
    static SmallCnn model() {
        pretrain();
        Init.useBackend(ReferenceBackend.get());
        Init.seed(5);
        SmallCnn m = new SmallCnn(3, 4);
        m.loadStateDict(weights, true);
        return m;
    }
}
