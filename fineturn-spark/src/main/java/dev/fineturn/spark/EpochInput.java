package dev.fineturn.spark;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;

/**
 * What every rank starts an epoch from, shipped as one broadcast.
 *
 * @param model     architecture and current weights
 * @param optimizer the optimiser's state tensors as safetensors bytes, or null before the first step
 * @param steps     optimiser steps so far
 * @param classes   class names; a row's label is looked up here
 * @param schedule  the learning-rate schedule's state as the driver left it after the last validation
 *                  (a plateau schedule's factor; empty for schedules that only count steps)
 */
record EpochInput(BackboneBroadcast model, byte[] optimizer, long steps, List<String> classes,
                  HashMap<String, Double> schedule) implements Serializable {
}
