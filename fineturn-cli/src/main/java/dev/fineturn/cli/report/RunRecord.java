package dev.fineturn.cli.report;

import dev.fineturn.train.ClassificationMetrics;
import dev.fineturn.train.FitResult;

/** One strategy's run in a report: its fit history and its score on the held-out test split. */
public record RunRecord(String name, FitResult fit, ClassificationMetrics test, long trainableParameters,
                        double seconds) {
}
