package dev.fineturn.train;

import java.util.List;
import java.util.Map;

/**
 * Where training stands, as a checkpoint records it: completed epochs, the next batch within the
 * current epoch, optimiser steps, the dropout counters and the schedule's state, early stopping's
 * bookkeeping, the epochs completed so far, and the running sums of the epoch in progress (so a
 * run resumed mid-epoch reports the same epoch loss and accuracy as one that was never stopped).
 */
public record TrainingState(int epoch, int batchInEpoch, long step, Map<String, Long> randomState,
                            Map<String, Double> scheduleState, double bestMetric, int bestEpoch, int badEpochs,
                            List<EpochRecord> history, EpochProgress progress) {
    public TrainingState {
        randomState = Map.copyOf(randomState);
        scheduleState = Map.copyOf(scheduleState);
        history = List.copyOf(history);
        progress = progress == null ? EpochProgress.NONE : progress;
    }

    public TrainingState(int epoch, int batchInEpoch, long step, Map<String, Long> randomState,
                         Map<String, Double> scheduleState, double bestMetric, int bestEpoch, int badEpochs) {
        this(epoch, batchInEpoch, step, randomState, scheduleState, bestMetric, bestEpoch, badEpochs, List.of(),
                EpochProgress.NONE);
    }

    /** Sums over the batches of the current epoch done so far. */
    public record EpochProgress(double lossSum, long correct, long seen, double seconds) {
        public static final EpochProgress NONE = new EpochProgress(0, 0, 0, 0);
    }
}
