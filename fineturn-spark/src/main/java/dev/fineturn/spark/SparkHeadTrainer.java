package dev.fineturn.spark;

import dev.fineturn.cli.ModelFiles;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.MlpHead;
import dev.fineturn.tensor.Tensor;
import dev.fineturn.train.linear.LogisticRegression;
import dev.fineturn.train.linear.Standardizer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Trains a linear head on a feature table with Spark MLlib's multinomial {@code LogisticRegression}
 * (L-BFGS over {@code treeAggregate}), on the objective of the local features strategy: features
 * standardised by their population mean and deviation (the same floors as {@link Standardizer}),
 * mean cross-entropy plus (1 / (2 C n)) ||W||^2, the bias unpenalised. The standardisation is folded
 * into the head, which then applies to raw features like the local one.
 */
public final class SparkHeadTrainer {
    private final SparkSession spark;
    private double c = dev.fineturn.train.linear.LinearProbe.DEFAULT_C;
    private int maxIterations = 1000;
    private double tolerance = 1e-9;

    public SparkHeadTrainer(SparkSession spark) {
        this.spark = spark;
    }

    /** The inverse L2 strength, as scikit-learn's and the local probe's C. */
    public SparkHeadTrainer c(double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("C " + value + " must be positive and finite");
        }
        this.c = value;
        return this;
    }

    public SparkHeadTrainer maxIterations(int n) {
        this.maxIterations = n;
        return this;
    }

    public SparkHeadTrainer tolerance(double t) {
        this.tolerance = t;
        return this;
    }

    /**
     * The fitted head on raw features.
     *
     * @param head         the folded model: weights [classes, features] and biases
     * @param standardizer the feature standardisation it was fitted under
     * @param c            the C it was fitted with
     * @param iterations   MLlib's L-BFGS iterations
     * @param classes      the class names, label i is classes.get(i)
     */
    public record Head(LogisticRegression.Model head, Standardizer standardizer, double c, int iterations,
                       List<String> classes) {
    }

    /** Fits the head on the rows of a feature table written by {@link SparkFeatureExtractor}. */
    public Head fit(String table) {
        FeatureMetadata meta = FeatureTables.metadata(spark, table);
        JavaRDD<Row> rows = spark.read().parquet(table).select("label", "features").javaRDD();
        return fit(rows, meta.classes());
    }

    /** Fits the head on rows of {@code label int, features array<float>}. */
    public Head fit(JavaRDD<Row> rows, List<String> classes) {
        JavaRDD<float[]> x = rows.map(r -> floats(r.getList(1)));
        x.cache();
        long n = x.count();
        if (n == 0) {
            throw new IllegalArgumentException("head training: the feature table has no rows");
        }
        int d = x.first().length;
        double[] sum = x.treeAggregate(new double[d], (acc, v) -> {
            for (int j = 0; j < d; j++) {
                acc[j] += v[j];
            }
            return acc;
        }, SparkHeadTrainer::add);
        double[] mean = new double[d];
        for (int j = 0; j < d; j++) {
            mean[j] = sum[j] / n;
        }
        double[] squares = x.treeAggregate(new double[d], (acc, v) -> {
            for (int j = 0; j < d; j++) {
                double dev = v[j] - mean[j];
                acc[j] += dev * dev;
            }
            return acc;
        }, SparkHeadTrainer::add);
        x.unpersist();
        double[] std = new double[d];
        for (int j = 0; j < d; j++) {
            std[j] = Math.sqrt(squares[j] / n);
        }
        Standardizer st = Standardizer.fromMoments(mean, std);
        double[] m = st.mean();
        double[] s = st.std();
        JavaRDD<Row> z = rows.map(r -> {
            float[] v = floats(r.getList(1));
            double[] out = new double[v.length];
            for (int j = 0; j < v.length; j++) {
                out[j] = (float) ((v[j] - m[j]) / s[j]);
            }
            return RowFactory.create((double) r.getInt(0), Vectors.dense(out));
        });
        StructType schema = new StructType().add("label", DataTypes.DoubleType, false)
                .add("features", SQLDataTypes.VectorType(), false);
        var lr = new org.apache.spark.ml.classification.LogisticRegression().setFamily("multinomial")
                .setStandardization(false).setFitIntercept(true).setElasticNetParam(0)
                .setRegParam(1.0 / (c * n)).setMaxIter(maxIterations).setTol(tolerance);
        LogisticRegressionModel fitted = lr.fit(spark.createDataFrame(z, schema));
        int k = fitted.numClasses();
        if (k != classes.size()) {
            throw new IllegalArgumentException("head training: " + classes.size() + " classes " + classes
                    + " but labels reach only " + k + "; every class needs rows");
        }
        double[] w = new double[k * d];
        double[] b = new double[k];
        for (int cl = 0; cl < k; cl++) {
            for (int j = 0; j < d; j++) {
                w[cl * d + j] = fitted.coefficientMatrix().apply(cl, j);
            }
            b[cl] = fitted.interceptVector().apply(cl);
        }
        LogisticRegression.Model folded = st.fold(new LogisticRegression.Model(k, d, w, b));
        return new Head(folded, st, c, fitted.summary().totalIterations(), List.copyOf(classes));
    }

    /** The share of rows of a feature table that {@code head} classifies correctly. */
    public double accuracy(Head head, String table) {
        int k = head.head().classes();
        int d = head.head().features();
        double[] w = head.head().weight();
        double[] b = head.head().bias();
        JavaRDD<Row> rows = spark.read().parquet(table).select("label", "features").javaRDD();
        long[] counts = rows.treeAggregate(new long[2], (acc, r) -> {
            LogisticRegression.Model model = new LogisticRegression.Model(k, d, w, b);
            acc[0] += model.predict(floats(r.getList(1)), 0) == r.getInt(0) ? 1 : 0;
            acc[1]++;
            return acc;
        }, (x, y) -> new long[]{x[0] + y[0], x[1] + y[1]});
        return (double) counts[0] / counts[1];
    }

    /**
     * Saves the backbone with {@code head} as its classifier as a fineturn model folder
     * ({@code architecture.json} + {@code model.safetensors}) that {@code fineturn predict} and
     * {@code evaluate} load. The folder must not exist or must be empty.
     */
    public static Classifier save(Path dir, BackboneBroadcast backbone, Head head) throws IOException {
        if (Files.isDirectory(dir)) {
            try (var s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    throw new IllegalArgumentException(dir + " is not empty; choose a new folder for the model");
                }
            }
        } else if (Files.exists(dir)) {
            throw new IllegalArgumentException(dir + " is a file, not a folder");
        }
        Classifier model = ExecutorModels.fresh(backbone);
        if (model.headBlock() instanceof MlpHead) {
            throw new IllegalArgumentException("the model has an MLP head; a linear head from MLlib cannot replace it");
        }
        LogisticRegression.Model h = head.head();
        if (model.numClasses() != h.classes() || model.featureSize() != h.features()) {
            throw new IllegalArgumentException("head of " + h.classes() + " classes x " + h.features()
                    + " features does not fit the model's head of " + model.numClasses() + " x "
                    + model.featureSize());
        }
        var backend = model.parameters().getFirst().backend();
        float[] w = new float[h.weight().length];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) h.weight()[i];
        }
        float[] b = new float[h.bias().length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) h.bias()[i];
        }
        String path = model.headPath();
        var r = model.loadStateDict(Map.of(path + ".weight", Tensor.of(backend, w, h.classes(), h.features()),
                path + ".bias", Tensor.of(backend, b, h.classes())), false);
        if (r.loaded().size() != 2) {
            throw new IllegalStateException("could not set the head " + path + ": " + r);
        }
        ModelFiles.save(dir, model, backbone.recipeJson(), head.classes());
        return model;
    }

    static float[] floats(List<Float> v) {
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i);
        }
        return out;
    }

    private static double[] add(double[] a, double[] b) {
        for (int j = 0; j < a.length; j++) {
            a[j] += b[j];
        }
        return a;
    }
}
