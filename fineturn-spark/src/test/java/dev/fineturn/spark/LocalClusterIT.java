package dev.fineturn.spark;

import dev.fineturn.data.Datasets;
import dev.fineturn.data.ImageFolderDataset;
import dev.fineturn.nn.Classifier;
import dev.fineturn.train.ClassificationMetrics;
import dev.fineturn.train.Evaluation;
import dev.fineturn.train.Strategy;
import dev.fineturn.train.TrainConfig;
import dev.fineturn.data.InMemoryDataset;
import dev.fineturn.train.FeatureCache;
import dev.fineturn.train.TrainingListener;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Feature extraction and data-parallel fine-tuning on {@code local-cluster[2,1,1024]}: two executor
 * JVMs, so the backbone really travels as a broadcast and the ring really crosses processes. Runs
 * with {@code -Plocal-cluster} (see the module README).
 */
class LocalClusterIT {
    @TempDir
    static Path dir;
    static SparkSession spark;

    @BeforeAll
    static void start() throws java.io.IOException {
        String home = System.getenv("SPARK_HOME");
        if (home == null || System.getenv("SPARK_SCALA_VERSION") == null) {
            throw new IllegalStateException("local-cluster needs SPARK_HOME (an empty folder will do), SPARK_TESTING=1 "
                    + "and SPARK_SCALA_VERSION=2.13; run it with -Plocal-cluster");
        }
        java.nio.file.Files.createDirectories(Path.of(home));
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        StringBuilder absolute = new StringBuilder();
        for (String p : classPath.split(File.pathSeparator)) {
            absolute.append(absolute.isEmpty() ? "" : File.pathSeparator).append(Path.of(p).toAbsolutePath());
        }
        spark = SparkSession.builder().master("local-cluster[2,1,1024]").appName("fineturn-local-cluster")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.executor.extraClassPath", absolute.toString())
                .config("spark.executor.extraJavaOptions",
                        "--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED")
                .getOrCreate();
        SparkTestSession.spark = spark;
    }

    @AfterAll
    static void stop() {
        spark.stop();
        SparkTestSession.spark = null;
    }

    @Test
    void featuresFromExecutorJvmsEqualLocalFeaturesBitForBit() throws Exception {
        Path images = TestImages.write(dir.resolve("images"), false, 3, 10);
        TestModels.Cut m = TestModels.mobilenetCut(3);
        String out = dir.resolve("features.parquet").toString();
        FeatureTable t = new SparkFeatureExtractor(spark, m.model(), m.recipe(), TestModels.SIZE).batchSize(4)
                .extract(SparkFeatureExtractor.imageFolder(spark, images.toString()).repartition(2), out);
        ImageFolderDataset local = ImageFolderDataset.open(images, TestModels.SIZE, TestModels.SIZE);
        FeatureCache.clearMemory();
        InMemoryDataset expected = FeatureCache.features(m.model(), local, 8, null, null, new TrainingListener() {
        });
        assertEquals(FeatureCache.key(m.model(), local, null), t.key());
        FeatureTables.Local got = FeatureTables.collect(spark, out);
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i).pixels(), got.data().get(i).pixels(), "image " + i);
        }

        FineTuneConfig cfg = FineTuneConfig.defaults(2, 1, 4).withLr(0.01);
        SparkFineTuner.Result r = new SparkFineTuner(spark, cfg)
                .fit(BackboneBroadcast.of(m.model(), m.recipe(), TestModels.SIZE, "cpu"),
                        SparkFeatureExtractor.imageFolder(spark, images.toString()));
        assertEquals(0, r.retries());
        ReplicaState rank1 = r.history().getFirst().ranks().stream().filter(s -> s.rank() == 1).findFirst()
                .orElseThrow();
        assertEquals(30 / 2 / 4 * 4L * rank1.gradientFloats(), rank1.bytesSent());

        // The local recipe (AdamW, layer-wise rates, augmentation) on the executors, validated there.
        TrainConfig recipe = TrainConfig.defaultsFor(Strategy.partial(3)).with(b -> {
            b.epochs = 1;
            b.batchSize = 4;
            b.seed = 5;
            b.restoreBest = false;
        });
        SparkFineTuner.Result tuned = new SparkFineTuner(spark, FineTuneConfig.recipe(2, recipe, 3)
                .withAugmentation(true)).fit(BackboneBroadcast.of(m.model(), m.recipe(), TestModels.SIZE, "cpu"),
                SparkFeatureExtractor.imageFolder(spark, images.toString()));
        Classifier last = ExecutorModels.fresh(tuned.model());
        ClassificationMetrics want = Evaluation.evaluate(last, Datasets.split(local, 0.2, 5).validation(), 4,
                last.parameters().getFirst().backend(), null, 3);
        assertEquals(6, tuned.validationImages());
        assertEquals(want.top1(), tuned.history().getFirst().validationAccuracy(), "scored on the executors");
        assertEquals(want.loss(), tuned.history().getFirst().validationLoss());
    }
}
