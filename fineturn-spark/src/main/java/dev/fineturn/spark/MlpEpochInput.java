package dev.fineturn.spark;

import java.io.Serializable;
import java.util.HashMap;

/**
 * What every rank starts an epoch of MLP head training from, shipped as one broadcast.
 *
 * @param head          the head's state dict ({@code 0.weight}, {@code 0.bias}, {@code 2.weight}, {@code 2.bias}),
 *                      safetensors bytes
 * @param optimizer     the optimiser's state tensors as safetensors bytes, or null before the first step
 * @param steps         optimiser steps so far
 * @param features      input features
 * @param hidden        hidden units
 * @param classes       classes
 * @param mean          the standardisation's means, over all rows
 * @param std           its deviations, floors applied
 * @param backend       the backend to train on
 * @param stepsPerEpoch steps every rank takes in an epoch
 * @param schedule      the learning-rate schedule's state as the driver left it after the last validation
 *                      (a plateau schedule's factor; empty for schedules that only count steps)
 */
record MlpEpochInput(byte[] head, byte[] optimizer, long steps, int features, int hidden, int classes, double[] mean,
                     double[] std, String backend, int stepsPerEpoch, HashMap<String, Double> schedule)
        implements Serializable {
}
