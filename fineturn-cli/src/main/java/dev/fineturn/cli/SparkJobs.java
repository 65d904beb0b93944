package dev.fineturn.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fineturn.cli.report.FoldReport;
import dev.fineturn.nn.Classifier;
import dev.fineturn.train.TrainConfig;

import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;

/**
 * What {@code --spark MASTER} runs on an Apache Spark cluster. The fineturn-spark module provides
 * it (through {@code META-INF/services}); without it and Spark on the class path, {@code --spark}
 * fails with a message saying so.
 */
public interface SparkJobs {
    /**
     * Extracts the backbone's features of the images under {@code data} (class subfolders) into a
     * Parquet table at {@code out}; returns a one-line summary.
     */
    String features(String master, Classifier model, ObjectNode recipe, String cut, int size, String data,
                    String out, int batchSize) throws Exception;

    /**
     * Fine-tunes on the images under {@code data}: features and an MLlib head, then for
     * {@code partial:K} and {@code full} data-parallel epochs from that head (fitted on the training
     * images only); with {@code settings.headHidden() > 0} and a head-only strategy an MLP head of that
     * many hidden units, trained by data-parallel SGD on the features instead. The epochs of both are
     * validated on the images the local trainer holds out, keep the best epoch and stop early as it
     * does; saves {@code out/model}. {@code settings} holds the command's epochs, batch size, learning
     * rate, seed, schedule, validation split and early stopping. Returns a one-line summary, or with
     * {@code json} one JSON object.
     */
    String finetune(String master, Classifier model, ObjectNode recipe, String cut, int size, String data, Path out,
                    String strategy, TrainConfig settings, boolean json) throws Exception;

    /**
     * Cross-validates every cell on the images under {@code data} (class subfolders) as the local
     * {@code sweep} does: the same k folds ({@code Datasets.kFold} with each cell's seed over the
     * images in image-folder order), each (cell, fold) a Spark task that trains a fresh copy of the
     * model with the local {@code Trainer} and scores the fold. Returns one result per cell, in order.
     */
    CrossValidated crossValidate(String master, Classifier model, ObjectNode recipe, String cut, int size,
                                  String data, List<SweepCell> cells, int folds) throws Exception;

    /**
     * One cell's folds: each fold's accuracy, loss, epochs and seconds, or why the cell failed (for
     * example a diverged fold).
     */
    record CellFolds(List<FoldReport.Fold> folds, String error) {
    }

    /** Every cell's folds, in cell order, and the data they were cross-validated on. */
    record CrossValidated(List<CellFolds> cells, int images, List<String> classes) {
    }

    /**
     * Trains a fresh copy of the model on all the images under {@code data} with {@code cell}'s
     * settings, as one Spark task (the sweep's refit of its winner); {@code recipe} is updated for the
     * data's classes as {@code crossValidate} updates it.
     */
    Trained trainOnAll(String master, Classifier model, ObjectNode recipe, String cut, int size, String data,
                       SweepCell cell) throws Exception;

    /** A model trained on a cluster, rebuilt on the driver, with the data's class names. */
    record Trained(Classifier model, List<String> classes, double seconds) {
    }

    static SparkJobs load() {
        return ServiceLoader.load(SparkJobs.class).findFirst().orElseThrow(() -> new IllegalStateException(
                "--spark needs the fineturn-spark module and Spark 4.2 (spark-sql_2.13, spark-mllib_2.13) on the "
                        + "class path, e.g. through spark-submit; see fineturn-spark/README.md"));
    }
}
