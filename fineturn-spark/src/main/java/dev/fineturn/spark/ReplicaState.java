package dev.fineturn.spark;

import java.io.Serializable;

/**
 * What rank 0 hands back after an epoch, and what the driver checkpoints: the weights and the
 * optimiser's state as safetensors bytes, the optimiser's step count and the epoch's measurements.
 *
 * @param weights        the model's state dict, safetensors bytes (null from ranks other than 0)
 * @param optimizer      the optimiser's state tensors, safetensors bytes (null from ranks other than 0)
 * @param steps          optimiser steps taken since the start of training
 * @param rank           the rank that reports
 * @param trainLoss      the mean training loss of this rank's batches in the epoch
 * @param computeNanos   time in forward and backward
 * @param allReduceNanos time in the all-reduce
 * @param bytesSent      bytes this rank sent through the ring
 * @param gradientFloats length of the flat gradient
 * @param images         images this rank trained on
 */
public record ReplicaState(byte[] weights, byte[] optimizer, long steps, int rank, double trainLoss,
                           long computeNanos, long allReduceNanos, long bytesSent, int gradientFloats, long images)
        implements Serializable {
}
