package dev.fineturn.train;

import dev.fineturn.data.Batch;
import dev.fineturn.data.DataLoader;
import dev.fineturn.data.Dataset;
import dev.fineturn.data.InMemoryDataset;
import dev.fineturn.nn.Classifier;
import dev.fineturn.ops.Losses;
import dev.fineturn.optim.Optimizer;
import dev.fineturn.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The learning-rate range test (Smith, "Cyclical learning rates", 2017; fastai's {@code lr_find}):
 * from the strategy's freezing and a fresh head (or, with {@code cfg.probeInitHead()}, the convex
 * head, whose loss is already low), take one optimiser step per batch while the head's rate grows
 * geometrically from {@code minLr} to {@code maxLr}, and record the smoothed loss. The loss falls, flattens and
 * then climbs; a good rate sits a tenth below the one with the lowest loss. The backbone's weights
 * and statistics are restored afterwards (the head is left new; a fit replaces it again).
 */
public final class LrFinder {
    private static final double SMOOTHING = 0.9;
    private static final double STOP_FACTOR = 4;

    private LrFinder() {
    }

    /**
     * @param lrs           the head's rate at each step
     * @param smoothedLoss  exponentially smoothed, bias-corrected training loss at each step
     * @param minLossLr     the rate with the lowest smoothed loss
     * @param suggestion    minLossLr / 10, the rate to train with
     */
    public record Result(List<Double> lrs, List<Double> smoothedLoss, double minLossLr, double suggestion) {
        @Override
        public String toString() {
            return String.format("suggested head learning rate %.2e (lowest smoothed loss at %.2e, %d steps)",
                    suggestion, minLossLr, lrs.size());
        }
    }

    public static Result find(Classifier model, Strategy strategy, Dataset train, TrainConfig cfg, double minLr,
                              double maxLr, int steps) {
        if (!(minLr > 0 && maxLr > minLr) || steps < 2) {
            throw new IllegalArgumentException("lr-find: need 0 < min (" + minLr + ") < max (" + maxLr
                    + ") and at least 2 steps, got " + steps);
        }
        Map<String, Tensor> saved = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> saved.put(k, v.copy()));
        boolean training = model.isTraining();
        try {
            TransferSetup.apply(model, strategy, train.numClasses(), cfg);
            if (cfg.probeInitHead() && cfg.headHidden() == 0 && strategy.usesPretrainedWeights()) {
                InMemoryDataset f = FeatureCache.features(model, train, cfg.batchSize(), cfg.evalTransform(),
                cfg.featureCacheDir(),
                        new TrainingListener() {
                        });
                ConvexHead.fit(f, train.numClasses(), cfg).install(model.head());
            }
            Optimizer optimizer = TransferSetup.optimizer(TransferSetup.groups(model, cfg), cfg);
            DataLoader loader = DataLoader.builder(train).batchSize(cfg.batchSize()).shuffle(true).seed(cfg.seed())
                    .backend(model.parameters().get(0).backend()).transform(cfg.trainingTransform()).build();
            return sweep(model, optimizer, loader, cfg.lr(), minLr, maxLr, steps);
        } finally {
            // The head may have been replaced for the new classes; the caller's fit replaces it again.
            model.stateDict().forEach((k, v) -> {
                Tensor old = saved.get(k);
                if (old != null && java.util.Arrays.equals(old.shape(), v.shape())) {
                    v.copyFrom(old);
                }
            });
            model.train(training);
        }
    }

    private static Result sweep(Classifier model, Optimizer optimizer, DataLoader loader, double baseLr, double minLr,
                                double maxLr, int steps) {
        List<Double> lrs = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        double ratio = Math.pow(maxLr / minLr, 1.0 / (steps - 1));
        double avg = 0;
        double best = Double.POSITIVE_INFINITY;
        double bestLr = minLr;
        model.train(true);
        int step = 0;
        for (int epoch = 0; step < steps; epoch++) {
            for (Batch b : loader.epoch(epoch)) {
                double lr = minLr * Math.pow(ratio, step);
                optimizer.setLrFactor(lr / baseLr);
                Tensor loss = Losses.crossEntropy(model.forward(b.images()), b.labels(), 0f);
                double l = loss.item();
                loss.backward();
                optimizer.step();
                optimizer.zeroGrad();
                avg = SMOOTHING * avg + (1 - SMOOTHING) * l;
                double smoothed = avg / (1 - Math.pow(SMOOTHING, step + 1));
                lrs.add(lr);
                losses.add(smoothed);
                if (smoothed < best) {
                    best = smoothed;
                    bestLr = lr;
                }
                step++;
                if (!Double.isFinite(smoothed) || smoothed > STOP_FACTOR * best || step >= steps) {
                    return new Result(lrs, losses, bestLr, bestLr / 10);
                }
            }
        }
        return new Result(lrs, losses, bestLr, bestLr / 10);
    }
}
