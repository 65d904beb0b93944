package dev.fineturn.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fineturn.nn.Classifier;
import dev.fineturn.train.TrainConfig;

import java.nio.file.Path;
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

    static SparkJobs load() {
        return ServiceLoader.load(SparkJobs.class).findFirst().orElseThrow(() -> new IllegalStateException(
                "--spark needs the fineturn-spark module and Spark 4.2 (spark-sql_2.13, spark-mllib_2.13) on the "
                        + "class path, e.g. through spark-submit; see fineturn-spark/README.md"));
    }
}
