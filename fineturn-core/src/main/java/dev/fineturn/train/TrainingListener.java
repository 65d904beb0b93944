package dev.fineturn.train;

/** Progress and logging hooks; every method has an empty default. */
public interface TrainingListener {
    /** Feature extraction (FEATURES strategy) progress in samples. */
    default void onFeatures(int done, int total) {
    }

    default void onEpochStart(int epoch, int batches) {
    }

    default void onBatch(int epoch, int batch, int batches, double loss) {
    }

    default void onEpochEnd(EpochRecord record) {
    }

    /** A checkpoint was written. */
    default void onCheckpoint(java.nio.file.Path checkpoint) {
    }
}
