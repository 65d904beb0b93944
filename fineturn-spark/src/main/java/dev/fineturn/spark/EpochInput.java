package dev.fineturn.spark;

import java.io.Serializable;
import java.util.List;

/**
 * What every rank starts an epoch from, shipped as one broadcast.
 *
 * @param model     architecture and current weights
 * @param optimizer the optimiser's state tensors as safetensors bytes, or null before the first step
 * @param steps     optimiser steps so far
 * @param classes   class names; a row's label is looked up here
 */
record EpochInput(BackboneBroadcast model, byte[] optimizer, long steps, List<String> classes)
        implements Serializable {
}
