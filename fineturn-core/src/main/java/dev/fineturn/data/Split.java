package dev.fineturn.data;

/** A training set and the validation set held out from it. */
public record Split(Subset train, Subset validation) {
}
