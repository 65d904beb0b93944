package dev.fineturn.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fineturn.data.Sample;
import dev.fineturn.nn.Classifier;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;
import dev.fineturn.train.FeatureCache;
import dev.fineturn.train.FeatureKey;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/**
 * Runs a frozen backbone over images on a Spark cluster and writes their feature vectors as Parquet.
 * The backbone travels as a broadcast ({@link BackboneBroadcast}) and is rebuilt once per executor
 * JVM; the work is a plain {@code mapPartitions}, so Spark retries a failed task by itself. The table
 * carries the local feature cache's key, so features made here are reused by a local run (through
 * {@link FeatureTables#toLocalCache}) and a local cache file is reused here instead of extracting.
 */
public final class SparkFeatureExtractor {
    private final SparkSession spark;
    private final BackboneBroadcast backbone;
    private int batchSize = 32;
    private Path localCache;
    private boolean overwrite;

    /**
     * @param model     the model whose backbone gives the features (its head is ignored)
     * @param recipe    the model folder recipe that rebuilds its architecture ({@code architecture.json})
     * @param inputSize the side length images are resized to
     */
    public SparkFeatureExtractor(SparkSession spark, Classifier model, ObjectNode recipe, int inputSize) {
        this(spark, BackboneBroadcast.of(model, recipe, inputSize, model.parameters().getFirst().backend().name()));
    }

    public SparkFeatureExtractor(SparkSession spark, BackboneBroadcast backbone) {
        this.spark = spark;
        this.backbone = backbone;
    }

    /** Images per forward pass on an executor. */
    public SparkFeatureExtractor batchSize(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("batch size " + n + " must be at least 1");
        }
        this.batchSize = n;
        return this;
    }

    /** A local feature cache folder: a file there with the same key is used instead of extracting. */
    public SparkFeatureExtractor localCache(Path dir) {
        this.localCache = dir;
        return this;
    }

    /** Replace an existing output folder that holds other features (by default that is an error). */
    public SparkFeatureExtractor overwrite(boolean on) {
        this.overwrite = on;
        return this;
    }

    public BackboneBroadcast backbone() {
        return backbone;
    }

    /**
     * An image folder as rows {@code path, label, content}: every PNG/JPEG below {@code root}, labelled
     * by its parent folder's name, read by Spark's {@code binaryFile} source.
     */
    public static Dataset<Row> imageFolder(SparkSession spark, String root) {
        return spark.read().format("binaryFile").option("recursiveFileLookup", "true")
                .option("pathGlobFilter", "*.{png,jpg,jpeg,PNG,JPG,JPEG}").load(root)
                .withColumn("label", functions.element_at(functions.split(functions.col("path"), "/"), -2))
                .select("path", "label", "content");
    }

    /**
     * Rows of {@code path} and {@code label} (strings) with each file's bytes joined in as
     * {@code content}, read by Spark's {@code binaryFile} source; a path is matched in its qualified
     * form ({@code file:/...}).
     */
    public static Dataset<Row> withContent(SparkSession spark, Dataset<Row> pathsAndLabels) {
        List<String> paths = pathsAndLabels.select("path").as(Encoders.STRING()).collectAsList();
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("no image paths given");
        }
        var conf = spark.sparkContext().hadoopConfiguration();
        List<String> qualified = new ArrayList<>();
        try {
            for (String p : paths) {
                org.apache.hadoop.fs.Path hp = new org.apache.hadoop.fs.Path(p);
                qualified.add(hp.getFileSystem(conf).makeQualified(hp).toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("image paths: " + e.getMessage(), e);
        }
        Dataset<Row> files = spark.read().format("binaryFile").load(qualified.toArray(String[]::new))
                .select("path", "content");
        Dataset<Row> keyed = pathsAndLabels.withColumn("qpath", qualify(pathsAndLabels));
        return keyed.join(files, keyed.col("qpath").equalTo(files.col("path")))
                .select(files.col("path"), keyed.col("label").cast("string").as("label"), files.col("content"));
    }

    private static org.apache.spark.sql.Column qualify(Dataset<Row> d) {
        org.apache.spark.sql.Column p = d.col("path");
        return functions.when(p.startsWith("/"), functions.concat(functions.lit("file:"), p)).otherwise(p);
    }

    /** Extracts (or reuses) the features of {@code images} ({@code path, label, content}) into {@code out}. */
    public FeatureTable extract(Dataset<Row> images, String out) {
        List<String> classes = images.select("label").distinct().as(Encoders.STRING()).collectAsList()
                .stream().sorted().toList();
        if (classes.size() < 2) {
            throw new IllegalArgumentException("feature extraction needs at least 2 classes (label values), found "
                    + classes);
        }
        Broadcast<BackboneBroadcast> b = spark.sparkContext().broadcast(backbone,
                scala.reflect.ClassTag$.MODULE$.apply(BackboneBroadcast.class));
        ArrayList<String> classList = new ArrayList<>(classes);
        int size = backbone.inputSize();
        List<Row> digests = images.mapPartitions(digestRows(b, classList, size), Encoders.row(DIGEST_SCHEMA))
                .collectAsList().stream().sorted(ORDER).toList();
        String key = FeatureKey.combine(hex(backbone.backboneHash()), digests.size(), classes.size(),
                digests.stream().map(r -> (byte[]) r.getAs("digest")).toList(), "null", backbone.preprocessing());
        FeatureMetadata meta = new FeatureMetadata(key, backbone.backboneHash(), backbone.cut(),
                backbone.preprocessing(), size, classes);
        FeatureMetadata existing = FeatureTables.metadataOrNull(spark, out);
        if (existing != null && existing.key().equals(key)) {
            b.destroy();
            return new FeatureTable(out, key, digests.size(), FeatureTables.featureSize(spark, out), classes, false);
        }
        if (!overwrite && exists(out)) {
            b.destroy();
            throw new IllegalArgumentException(out + " exists and holds " + (existing == null ? "something else"
                    : "features of other data or another backbone (key " + existing.key() + ", not " + key + ")")
                    + "; choose another output or allow overwriting");
        }
        StructType schema = featureSchema(meta.toMetadata());
        Path cached = localCache == null ? null : FeatureCache.file(localCache, key);
        if (cached != null && Files.isRegularFile(cached)) {
            b.destroy();
            var local = readLocal(cached, classes.size());
            List<Row> rows = new ArrayList<>(digests.size());
            for (int i = 0; i < digests.size(); i++) {
                rows.add(RowFactory.create(digests.get(i).getString(0), digests.get(i).getInt(1),
                        local.get(i).pixels()));
            }
            withMetadata(spark.createDataFrame(rows, schema), meta).write().mode(SaveMode.Overwrite).parquet(out);
            return new FeatureTable(out, key, rows.size(), local.sampleShape()[0], classes, false);
        }
        int batch = batchSize;
        Dataset<Row> features = images.mapPartitions(featureRows(b, classList, size, batch), Encoders.row(schema));
        withMetadata(features, meta).write().mode(SaveMode.Overwrite).parquet(out);
        b.destroy();
        FeatureTable t = new FeatureTable(out, key, digests.size(), FeatureTables.featureSize(spark, out), classes,
                true);
        if (localCache != null) {
            FeatureTables.toLocalCache(spark, out, localCache);
        }
        return t;
    }

    /** The metadata set on the column itself, where Spark's Parquet writer takes it into the file footer. */
    private static Dataset<Row> withMetadata(Dataset<Row> d, FeatureMetadata meta) {
        return d.withColumn("features", functions.col("features").as("features", meta.toMetadata()));
    }

    private static dev.fineturn.data.InMemoryDataset readLocal(Path file, int classes) {
        try {
            return FeatureCache.read(file, classes);
        } catch (IOException e) {
            throw new UncheckedIOException("local feature cache: " + e.getMessage(), e);
        }
    }

    private boolean exists(String out) {
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(out);
            return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": " + e.getMessage(), e);
        }
    }

    static final StructType DIGEST_SCHEMA = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("label", DataTypes.IntegerType, false)
            .add("digest", DataTypes.BinaryType, false);

    /** Rows in the order of a local image folder: by class, then by file. */
    static final Comparator<Row> ORDER = Comparator.<Row>comparingInt(r -> r.getInt(1))
            .thenComparing(r -> r.getString(0));

    static StructType featureSchema(Metadata meta) {
        return new StructType()
                .add("id", DataTypes.StringType, false)
                .add("label", DataTypes.IntegerType, false)
                .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false, meta);
    }

    private static MapPartitionsFunction<Row, Row> digestRows(Broadcast<BackboneBroadcast> b, List<String> classes,
                                                              int size) {
        return rows -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public Row next() {
                Row r = rows.next();
                String path = r.getString(0);
                int label = classes.indexOf(r.getString(1));
                Sample s = ImageRows.decode((byte[]) r.get(2), path, label, size);
                return RowFactory.create(path, label, FeatureKey.sample(s));
            }
        };
    }

    private static MapPartitionsFunction<Row, Row> featureRows(Broadcast<BackboneBroadcast> b, List<String> classes,
                                                               int size, int batch) {
        return rows -> {
            Classifier model = ExecutorModels.get(b.value());
            return new Iterator<>() {
                private final List<Row> ready = new ArrayList<>();
                private int next;

                @Override
                public boolean hasNext() {
                    if (next < ready.size()) {
                        return true;
                    }
                    ready.clear();
                    next = 0;
                    List<String> ids = new ArrayList<>();
                    List<Sample> samples = new ArrayList<>();
                    while (samples.size() < batch && rows.hasNext()) {
                        Row r = rows.next();
                        ids.add(r.getString(0));
                        samples.add(ImageRows.decode((byte[]) r.get(2), r.getString(0),
                                classes.indexOf(r.getString(1)), size));
                    }
                    if (samples.isEmpty()) {
                        return false;
                    }
                    float[][] f = features(model, samples);
                    for (int i = 0; i < f.length; i++) {
                        ready.add(RowFactory.create(ids.get(i), samples.get(i).label(), f[i]));
                    }
                    return true;
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new java.util.NoSuchElementException();
                    }
                    return ready.get(next++);
                }
            };
        };
    }

    /** The backbone's features of a batch, one array per sample; the shared model runs one batch at a time. */
    static float[][] features(Classifier model, List<Sample> samples) {
        Sample first = samples.getFirst();
        int per = first.pixels().length;
        float[] x = new float[samples.size() * per];
        for (int i = 0; i < samples.size(); i++) {
            System.arraycopy(samples.get(i).pixels(), 0, x, i * per, per);
        }
        float[] v;
        synchronized (model) {
            var backend = model.parameters().getFirst().backend();
            try (var g = GradMode.noGrad()) {
                v = model.features(Tensor.of(backend, x, samples.size(), first.channels(), first.height(),
                        first.width())).toArray();
            }
        }
        int f = v.length / samples.size();
        float[][] out = new float[samples.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = java.util.Arrays.copyOfRange(v, i * f, (i + 1) * f);
        }
        return out;
    }

    private static byte[] hex(String s) {
        return java.util.HexFormat.of().parseHex(s);
    }
}
