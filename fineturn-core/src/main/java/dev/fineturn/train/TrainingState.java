package dev.fineturn.train;

import java.util.Map;

/**
 * Where training stands, as a checkpoint records it: completed epochs, the next batch within the
 * current epoch, optimiser steps, the dropout counters and the schedule's state, and early
 * stopping's bookkeeping.
 */
public record TrainingState(int epoch, int batchInEpoch, long step, Map<String, Long> randomState,
                            Map<String, Double> scheduleState, double bestMetric, int bestEpoch, int badEpochs) {
    public TrainingState {
        randomState = Map.copyOf(randomState);
        scheduleState = Map.copyOf(scheduleState);
    }
}
