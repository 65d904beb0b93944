package dev.fineturn.cli;

import dev.fineturn.data.Dataset;

/**
 * A reference score that uses no pretrained network: a classifier on the raw pixels, trained on
 * {@code train} and scored on {@code validation}. Sweeps report it next to the transfer strategies
 * so that "pretrained features help" is a measured claim.
 */
interface PixelBaseline {
    /** A short name for reports, e.g. "pixels". */
    default String name() {
        return "pixels";
    }

    /** The fraction of {@code validation} classified correctly after training on {@code train}. */
    double heldOutAccuracy(Dataset train, Dataset validation, long seed);
}
