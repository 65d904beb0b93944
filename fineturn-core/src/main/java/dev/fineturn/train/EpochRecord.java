package dev.fineturn.train;

/** One epoch's outcome: training loss/accuracy, validation metrics (null without validation). */
public record EpochRecord(int epoch, double trainLoss, double trainAccuracy, ClassificationMetrics validation,
                          double lr, double seconds, boolean touchedBackbone) {
}
