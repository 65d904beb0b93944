package dev.fineturn.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code fineturn features --spark MASTER}: a backbone's features of an image folder as a Parquet table. */
@Command(name = "features", mixinStandardHelpOptions = true,
        description = "Extract a backbone's feature vectors of an image folder on a Spark cluster into Parquet "
                + "(id, label, features), keyed like the local feature cache.")
final class FeaturesCommand implements Callable<Integer> {
    @Mixin
    BackendOption common;

    @Mixin
    PreprocessOption preprocessing;

    @Option(names = "--spark", required = true, paramLabel = "MASTER",
            description = "Spark master: local[N], spark://host:7077, yarn, ...")
    String spark;

    @Mixin
    ModelOption modelOption;

    @Option(names = "--cut", paramLabel = "NODE", description = "For imported graphs: features up to this layer.")
    String cut;

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "A folder with one subfolder of PNG/JPEG images per class (any Hadoop file system path).")
    String data;

    @Option(names = "--size", defaultValue = "64", description = "Image side length fed to the model.")
    int size;

    @Option(names = "--batch-size", defaultValue = "32")
    int batchSize;

    @Option(names = "--out", required = true, paramLabel = "TABLE", description = "The Parquet folder to write.")
    String out;

    @Override
    public Integer call() throws Exception {
        SparkJobs jobs = SparkJobs.load();
        var backend = common.select();
        ModelFiles.Loaded loaded = preprocessing.apply(modelOption.open(backend, common.quiet,
                common.verbose));
        System.out.println(jobs.features(spark, loaded.model(), loaded.recipe(), cut, size, data, out,
                batchSize));
        return 0;
    }
}
