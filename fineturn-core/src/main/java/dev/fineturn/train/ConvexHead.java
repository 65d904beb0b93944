package dev.fineturn.train;

import dev.fineturn.data.InMemoryDataset;
import dev.fineturn.nn.Linear;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;
import dev.fineturn.train.linear.LinearProbe;
import dev.fineturn.train.linear.LinearProbeResult;

/**
 * A linear head fitted to convergence on frozen features: standardised features, multinomial
 * logistic regression with L2 (L-BFGS), the L2 strength chosen by repeated stratified k-fold
 * cross-validation on the training rows. The standardisation is folded into the weights, so the
 * head applies to raw features and the saved model needs nothing else.
 */
final class ConvexHead {
    private ConvexHead() {
    }

    /** The fitted head and, from the cross-validation, out-of-fold metrics for the chosen strength. */
    record Fitted(LinearProbeResult probe, int repeats, ClassificationMetrics crossValidated) {
        String summary() {
            return String.format("multinomial logistic regression, C = %.3g %s (CV accuracy %.4f), "
                    + "%d L-BFGS iterations%s", probe.c(), probe.cvAccuracy().size() > 1
                    ? "chosen by " + repeats + " x " + probe.folds() + "-fold CV" : "kept from the start", probe.chosenCvAccuracy(),
                    probe.iterations(), probe.converged() ? "" : " (not converged)");
        }

        /** Copies the weights into {@code head}, which must be features x classes. */
        void install(Linear head) {
            if (head.inFeatures() != probe.features() || head.outFeatures() != probe.classes()) {
                throw new IllegalArgumentException("convex head: fitted " + probe.features() + " -> "
                        + probe.classes() + " but the model's head is " + head.inFeatures() + " -> "
                        + head.outFeatures());
            }
            Tensor w = head.namedParameters().get("weight");
            Tensor b = head.namedParameters().get("bias");
            try (var g = GradMode.noGrad()) {
                w.copyFrom(Tensor.of(w.backend(), probe.weight(), probe.classes(), probe.features()));
                if (b != null) {
                    b.copyFrom(Tensor.of(b.backend(), probe.bias(), probe.classes()));
                } else if (anyNonZero(probe.bias())) {
                    throw new IllegalArgumentException("convex head: the model's head has no bias");
                }
            }
        }
    }

    static Fitted fit(InMemoryDataset features, int classes, TrainConfig cfg) {
        return fit(features, classes, cfg, null);
    }

    /** With {@code fixedC} the L2 strength is given, not chosen by cross-validation. */
    static Fitted fit(InMemoryDataset features, int classes, TrainConfig cfg, Double fixedC) {
        int n = features.size();
        int d = features.sampleShape()[0];
        float[] x = new float[n * d];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(features.get(i).pixels(), 0, x, i * d, d);
            labels[i] = features.label(i);
        }
        LinearProbe probe = new LinearProbe().withFolds(cfg.probeFolds()).withSeed(cfg.seed())
                .withThreads(Runtime.getRuntime().availableProcessors());
        if (fixedC != null) {
            // One C: the folds only give the out-of-fold metrics, so one repeat is enough.
            probe = probe.withGrid(fixedC).withRepeats(1);
        }
        LinearProbeResult r = probe.fit(x, d, labels, classes);
        ClassificationMetrics cv = null;
        if (r.outOfFoldLogits() != null) {
            ClassificationMetrics.Accumulator acc = new ClassificationMetrics.Accumulator(classes);
            acc.add(r.outOfFoldLogits(), labels, r.outOfFoldLoss(labels));
            cv = acc.result();
        }
        return new Fitted(r, probe.repeats(), cv);
    }

    private static boolean anyNonZero(float[] v) {
        for (float f : v) {
            if (f != 0f) {
                return true;
            }
        }
        return false;
    }
}
