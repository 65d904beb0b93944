package dev.fineturn.spark;

import dev.fineturn.data.InMemoryDataset;
import dev.fineturn.train.FeatureCache;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads feature tables written by {@link SparkFeatureExtractor} and moves them to and from the local cache. */
public final class FeatureTables {
    private FeatureTables() {
    }

    /** The features of a table in a local image folder's order (by class, then by file), with their ids. */
    public record Local(List<String> ids, InMemoryDataset data, String key, List<String> classes) {
    }

    /** The table's metadata; fails naming the folder when it is not a fineturn feature table. */
    static FeatureMetadata metadata(SparkSession spark, String path) {
        FeatureMetadata m = metadataOrNull(spark, path);
        if (m == null) {
            throw new IllegalArgumentException(path + ": not a fineturn feature table (no fineturn.key in the "
                    + "metadata of a 'features' column)");
        }
        return m;
    }

    static FeatureMetadata metadataOrNull(SparkSession spark, String path) {
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
            if (!p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p)) {
                return null;
            }
            var schema = spark.read().parquet(path).schema();
            if (schema.getFieldIndex("features").isEmpty()) {
                return null;
            }
            return FeatureMetadata.from(schema.apply("features").metadata());
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": " + e.getMessage(), e);
        } catch (Exception e) {
            // Spark's AnalysisException (undeclared in Scala): a folder that is not a Parquet table.
            if (e instanceof org.apache.spark.sql.AnalysisException) {
                return null;
            }
            throw e;
        }
    }

    static int featureSize(SparkSession spark, String path) {
        Row first = spark.read().parquet(path).select("features").first();
        return first.getList(0).size();
    }

    /** The table's key (equal to the local feature cache's for the same backbone, data and preprocessing). */
    public static String key(SparkSession spark, String path) {
        return metadata(spark, path).key();
    }

    /** Collects the table to the driver in local order. */
    public static Local collect(SparkSession spark, String path) {
        FeatureMetadata m = metadata(spark, path);
        Dataset<Row> d = spark.read().parquet(path).orderBy("label", "id");
        List<Row> rows = d.collectAsList();
        int f = rows.isEmpty() ? 0 : rows.getFirst().getList(2).size();
        float[] x = new float[rows.size() * f];
        int[] labels = new int[rows.size()];
        String[] ids = new String[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            ids[i] = r.getString(0);
            labels[i] = r.getInt(1);
            List<Float> v = r.getList(2);
            for (int j = 0; j < f; j++) {
                x[i * f + j] = v.get(j);
            }
        }
        return new Local(List.of(ids), new InMemoryDataset(x, labels, new int[]{f, 1, 1}, m.classes().size()), m.key(),
                m.classes());
    }

    /**
     * Writes the table as the local feature cache file of its key in {@code cacheDir}, so a local run
     * on the same images, backbone and preprocessing finds its features there; returns the file.
     */
    public static Path toLocalCache(SparkSession spark, String path, Path cacheDir) {
        Local l = collect(spark, path);
        Path file = FeatureCache.file(cacheDir, l.key());
        int f = l.data().sampleShape()[0];
        float[] x = new float[l.data().size() * f];
        int[] labels = new int[l.data().size()];
        for (int i = 0; i < labels.length; i++) {
            System.arraycopy(l.data().get(i).pixels(), 0, x, i * f, f);
            labels[i] = l.data().label(i);
        }
        try {
            Files.createDirectories(cacheDir);
            FeatureCache.write(file, x, labels, f, l.key());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
        return file;
    }
}
