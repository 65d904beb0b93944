package dev.fineturn.train;

import dev.fineturn.data.Dataset;
import dev.fineturn.data.Datasets;
import dev.fineturn.data.Split;
import dev.fineturn.nn.Classifier;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * k-fold cross-validation: each fold trains a fresh copy of the pretrained model on k-1 parts and
 * scores the held-out part. With FEATURES the backbone runs once over the whole data set and every
 * fold reuses those features (see {@link FeatureCache}).
 */
public final class CrossValidation {
    private CrossValidation() {
    }

    /** Per-fold results with the mean and standard deviation of the monitored metric. */
    public record Result(List<FitResult> folds, List<Double> scores, String metric, double mean, double std) {
    }

    public static Result run(Supplier<? extends Classifier> pretrained, Strategy strategy, Dataset data, int k,
                             TrainConfig cfg, TrainingListener... listeners) {
        if (k < 2 || k > data.size()) {
            throw new IllegalArgumentException("cross-validation: k = " + k + " must be in [2, " + data.size() + "]");
        }
        List<FitResult> folds = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        int index = 0;
        for (Split fold : Datasets.kFold(data, k, cfg.seed())) {
            TrainConfig foldCfg = cfg.checkpointDir() == null ? cfg
                    : cfg.withCheckpoints(cfg.checkpointDir().resolve("fold-" + index), cfg.checkpointEvery(),
                    cfg.resume());
            index++;
            Trainer t = new Trainer(foldCfg);
            for (TrainingListener l : listeners) {
                t.addListener(l);
            }
            FitResult r = t.fit(pretrained.get(), strategy, fold.train(), fold.validation());
            folds.add(r);
            ClassificationMetrics m = r.best() != null ? r.best() : r.last().validation();
            scores.add(m.get(cfg.monitor()));
        }
        double mean = scores.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        double var = scores.stream().mapToDouble(s -> (s - mean) * (s - mean)).sum() / Math.max(1, scores.size() - 1);
        return new Result(folds, scores, cfg.monitor(), mean, Math.sqrt(var));
    }
}
