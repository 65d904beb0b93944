package dev.fineturn.spark;

import dev.fineturn.backend.Backends;
import dev.fineturn.data.ImageFolderDataset;
import dev.fineturn.data.InMemoryDataset;
import dev.fineturn.train.FeatureCache;
import dev.fineturn.train.TrainingListener;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SparkFeatureExtractorTest extends SparkTestSession {
    @TempDir
    static Path dir;
    static Path images;

    @BeforeAll
    static void images() throws Exception {
        images = TestImages.write(dir.resolve("images"), false, 3, 12);
    }

    @Test
    void backendsAreFoundThroughServiceFilesOnTheClassPath() {
        assertTrue(Backends.names().contains("cpu"), Backends.names().toString());
        assertTrue(Backends.names().contains("reference"), Backends.names().toString());
        assertEquals("cpu", Backends.get("cpu").name());
        assertFalse(SparkFeatureExtractor.class.getModule().isNamed(), "fineturn-spark lives on the class path");
    }

    @Test
    void sparkFeaturesEqualLocalFeaturesBitForBitAndShareTheCacheKey() throws Exception {
        TestModels.Cut m = TestModels.mobilenetCut(3);
        String out = dir.resolve("features.parquet").toString();
        Dataset<Row> rows = SparkFeatureExtractor.imageFolder(spark, images.toString()).repartition(3);
        FeatureTable t = new SparkFeatureExtractor(spark, m.model(), m.recipe(), TestModels.SIZE).batchSize(5)
                .extract(rows, out);
        assertTrue(t.extracted());
        assertEquals(36, t.rows());
        assertEquals(List.of("class0", "class1", "class2"), t.classes());

        ImageFolderDataset local = ImageFolderDataset.open(images, TestModels.SIZE, TestModels.SIZE);
        Path cache = dir.resolve("local-cache");
        FeatureCache.clearMemory();
        InMemoryDataset expected = FeatureCache.features(m.model(), local, 8, null, cache, new TrainingListener() {
        });
        assertEquals(FeatureCache.key(m.model(), local, null), t.key(), "the cluster's key is the local cache's");
        assertTrue(Files.isRegularFile(FeatureCache.file(cache, t.key())));

        FeatureTables.Local spark = FeatureTables.collect(SparkTestSession.spark, out);
        assertEquals(expected.size(), spark.data().size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(local.file(i).toUri().getPath(), java.net.URI.create(spark.ids().get(i)).getPath());
            assertEquals(expected.label(i), spark.data().label(i));
            assertArrayEquals(expected.get(i).pixels(), spark.data().get(i).pixels(), "features of image " + i);
        }
        assertEquals(t.key(), FeatureTables.key(SparkTestSession.spark, out));
    }

    @Test
    void aCacheMadeOnTheClusterIsReusedLocallyAndViceVersa() throws Exception {
        TestModels.Cut m = TestModels.mobilenetCut(3);
        Dataset<Row> rows = SparkFeatureExtractor.imageFolder(spark, images.toString());
        String first = dir.resolve("first.parquet").toString();
        SparkFeatureExtractor ex = new SparkFeatureExtractor(spark, m.model(), m.recipe(), TestModels.SIZE);
        FeatureTable t = ex.extract(rows, first);
        assertFalse(ex.extract(rows, first).extracted(), "the same output with the same key is reused");

        Path cache = dir.resolve("from-cluster");
        Path file = FeatureTables.toLocalCache(spark, first, cache);
        assertEquals(FeatureCache.file(cache, t.key()), file);
        FeatureCache.clearMemory();
        long before = FeatureCache.extractions();
        ImageFolderDataset local = ImageFolderDataset.open(images, TestModels.SIZE, TestModels.SIZE);
        InMemoryDataset reused = FeatureCache.features(m.model(), local, 8, null, cache, new TrainingListener() {
        });
        assertEquals(before, FeatureCache.extractions(), "the local run found the cluster's features");
        assertArrayEquals(FeatureTables.collect(spark, first).data().get(5).pixels(), reused.get(5).pixels());

        long rebuilt = ExecutorModels.rebuilds();
        String second = dir.resolve("second.parquet").toString();
        FeatureTable fromLocal = new SparkFeatureExtractor(spark, m.model(), m.recipe(), TestModels.SIZE)
                .localCache(cache).extract(rows, second);
        assertFalse(fromLocal.extracted(), "the cluster found the local cache file");
        assertEquals(t.key(), fromLocal.key());
        assertEquals(rebuilt, ExecutorModels.rebuilds());
        assertArrayEquals(FeatureTables.collect(spark, first).data().get(7).pixels(),
                FeatureTables.collect(spark, second).data().get(7).pixels());
    }

    @Test
    void aPathAndLabelTableIsReadThroughTheBinaryFileSource() throws Exception {
        TestModels.Cut m = TestModels.mobilenetCut(3);
        ImageFolderDataset local = ImageFolderDataset.open(images, TestModels.SIZE, TestModels.SIZE);
        List<Row> list = new java.util.ArrayList<>();
        for (int i = 0; i < local.size(); i++) {
            list.add(org.apache.spark.sql.RowFactory.create(local.file(i).toString(),
                    local.classNames().get(local.label(i))));
        }
        var schema = new org.apache.spark.sql.types.StructType().add("path", "string").add("label", "string");
        Dataset<Row> table = SparkFeatureExtractor.withContent(spark, spark.createDataFrame(list, schema));
        FeatureTable t = new SparkFeatureExtractor(spark, m.model(), m.recipe(), TestModels.SIZE)
                .extract(table, dir.resolve("table.parquet").toString());
        assertEquals(FeatureCache.key(m.model(), local, null), t.key());
    }
}
