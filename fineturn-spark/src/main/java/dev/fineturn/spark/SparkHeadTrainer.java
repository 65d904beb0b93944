package dev.fineturn.spark;

import dev.fineturn.cli.ModelFiles;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.MlpHead;
import dev.fineturn.tensor.Tensor;
import dev.fineturn.train.linear.LinearProbe;
import dev.fineturn.train.linear.LogisticRegression;
import dev.fineturn.train.linear.Standardizer;
import dev.fineturn.train.linear.StratifiedFolds;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains a linear head on a feature table with Spark MLlib's multinomial {@code LogisticRegression}
 * (L-BFGS over {@code treeAggregate}), on the objective of the local features strategy: features
 * standardised by their population mean and deviation (the same floors as {@link Standardizer}),
 * mean cross-entropy plus (1 / (2 C n)) ||W||^2, the bias unpenalised. The standardisation is folded
 * into the head, which then applies to raw features like the local one.
 * <p>
 * By default C is chosen as the local {@link LinearProbe} chooses it: k-fold cross-validation
 * (MLlib's {@code CrossValidator}, {@code MulticlassClassificationEvaluator} accuracy) over
 * {@link LinearProbe#defaultGrid()} on the local probe's stratified folds (a fold column from
 * {@link StratifiedFolds}, k at most the smallest class's rows), the highest mean held-out accuracy,
 * the smallest C among ties, then one fit on all rows. MLlib's objective is the mean loss plus
 * regParam / 2 ||W||^2, so C maps to regParam = 1 / (C n) for a fit on n rows; a cross-validation
 * fit sees about n (k - 1) / k rows (the stratified folds differ by at most a row per class), so there
 * C maps to k / ((k - 1) C n), the strength the local probe gives C on a training fold. Every
 * L-BFGS iteration is a Spark job, so the cross-validation fits stop early: MLlib tolerance 1e-3, at
 * most 100 iterations (held-out accuracies need no optimum to the last digit; the local probe's fits
 * are loose too). The final fit uses the configured tolerance and iterations.
 */
public final class SparkHeadTrainer {
    private final SparkSession spark;
    private double c = LinearProbe.DEFAULT_C;
    private double[] grid = LinearProbe.defaultGrid();
    private int folds = 5;
    private long seed;
    private int maxIterations = 1000;
    private double tolerance = 1e-9;

    public SparkHeadTrainer(SparkSession spark) {
        this.spark = spark;
    }

    /** A fixed inverse L2 strength, as scikit-learn's and the local probe's C: no cross-validation. */
    public SparkHeadTrainer c(double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("C " + value + " must be positive and finite");
        }
        this.c = value;
        this.grid = null;
        return this;
    }

    /** Chooses C from {@code cs} by cross-validation (the default: {@link LinearProbe#defaultGrid()}). */
    public SparkHeadTrainer grid(double... cs) {
        this.grid = new LinearProbe().withGrid(cs).grid();
        return this;
    }

    /** Folds of the cross-validation (default 5). */
    public SparkHeadTrainer folds(int k) {
        if (k < 2) {
            throw new IllegalArgumentException("head training: " + k + " folds; at least 2");
        }
        this.folds = k;
        return this;
    }

    /** The seed of the stratified folds (default 0, as the local probe's). */
    public SparkHeadTrainer seed(long s) {
        this.seed = s;
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
     * @param folds        folds of the cross-validation that chose C (0: C was given)
     * @param cvAccuracy   mean held-out accuracy per C of the grid, ascending C (empty when C was given)
     */
    public record Head(LogisticRegression.Model head, Standardizer standardizer, double c, int iterations,
                       List<String> classes, int folds, Map<Double, Double> cvAccuracy) {
    }

    /**
     * Fits the head on the rows of a feature table written by {@link SparkFeatureExtractor}, taken in
     * local order (label, then id), so the cross-validation folds are the local probe's.
     */
    public Head fit(String table) {
        FeatureMetadata meta = FeatureTables.metadata(spark, table);
        JavaRDD<Row> rows = spark.read().parquet(table).select("label", "features").orderBy("label", "id").javaRDD();
        return fit(rows, meta.classes());
    }

    /**
     * Fits the head on rows of {@code label int, features array<float>}. The cross-validation folds
     * are {@link StratifiedFolds}' for the labels in the rows' order, as the local probe makes them.
     */
    public Head fit(JavaRDD<Row> rows, List<String> classes) {
        JavaRDD<Row> indexed = rows.zipWithIndex().map(t -> RowFactory.create(t._1().getInt(0),
                floats(t._1().getList(1)), t._2()));
        indexed.persist(StorageLevel.MEMORY_AND_DISK());
        try {
            return fitIndexed(indexed, classes);
        } finally {
            indexed.unpersist();
        }
    }

    /** Rows of {@code label int, features float[], index long}. */
    private Head fitIndexed(JavaRDD<Row> rows, List<String> classes) {
        JavaRDD<float[]> x = rows.map(r -> (float[]) r.get(1));
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
        int[] labels = rows.map(r -> r.getInt(0)).collect().stream().mapToInt(Integer::intValue).toArray();
        int k = grid == null ? 0 : Math.min(folds, StratifiedFolds.smallestClass(labels, classes.size()));
        int[] fold = k < 2 ? new int[labels.length] : StratifiedFolds.assign(labels, classes.size(), k, seed);
        double[] m = st.mean();
        double[] s = st.std();
        JavaRDD<Row> z = rows.map(r -> {
            float[] v = (float[]) r.get(1);
            double[] out = new double[v.length];
            for (int j = 0; j < v.length; j++) {
                out[j] = (float) ((v[j] - m[j]) / s[j]);
            }
            return RowFactory.create((double) r.getInt(0), Vectors.dense(out), fold[(int) r.getLong(2)]);
        });
        StructType schema = new StructType().add("label", DataTypes.DoubleType, false)
                .add("features", SQLDataTypes.VectorType(), false).add(FOLD, DataTypes.IntegerType, false);
        Dataset<Row> data = spark.createDataFrame(z, schema).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            Map<Double, Double> cv = k < 2 ? Map.of() : crossValidate(data, n, k);
            double chosen = grid == null ? c : k < 2 ? LinearProbe.DEFAULT_C : choose(cv);
            LogisticRegressionModel fitted = regression(maxIterations, tolerance).setRegParam(1.0 / (chosen * n))
                    .fit(data);
            return head(fitted, st, d, classes, chosen, k < 2 ? 0 : k, cv);
        } finally {
            data.unpersist();
        }
    }

    private org.apache.spark.ml.classification.LogisticRegression regression(int iterations, double tol) {
        return new org.apache.spark.ml.classification.LogisticRegression().setFamily("multinomial")
                .setStandardization(false).setFitIntercept(true).setElasticNetParam(0).setMaxIter(iterations)
                .setTol(tol);
    }

    /** Mean held-out accuracy per C, ascending C. */
    private Map<Double, Double> crossValidate(Dataset<Row> data, long n, int k) {
        var lr = regression(Math.min(maxIterations, CV_MAX_ITERATIONS), Math.max(tolerance, CV_TOLERANCE));
        double[] regParams = new double[grid.length];
        for (int i = 0; i < grid.length; i++) {
            regParams[i] = k / ((k - 1.0) * grid[i] * n);
        }
        CrossValidator cv = new CrossValidator().setEstimator(lr)
                .setEstimatorParamMaps(new ParamGridBuilder().addGrid(lr.regParam(), regParams).build())
                .setEvaluator(new MulticlassClassificationEvaluator().setMetricName("accuracy"))
                .setNumFolds(k).setFoldCol(FOLD).setParallelism(CV_PARALLELISM);
        double[] accuracy = cv.fit(data).avgMetrics();
        Map<Double, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < grid.length; i++) {
            out.put(grid[i], accuracy[i]);
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    /** The highest mean accuracy, the smallest C among ties (as the local probe). */
    static double choose(Map<Double, Double> cv) {
        double best = Double.NaN;
        double bestAccuracy = Double.NEGATIVE_INFINITY;
        for (var e : cv.entrySet()) {
            if (e.getValue() > bestAccuracy + 1e-12) {
                best = e.getKey();
                bestAccuracy = e.getValue();
            }
        }
        return best;
    }

    private static final String FOLD = "fold";
    private static final double CV_TOLERANCE = 1e-3;
    private static final int CV_MAX_ITERATIONS = 100;
    private static final int CV_PARALLELISM = 2;

    private Head head(LogisticRegressionModel fitted, Standardizer st, int d, List<String> classes, double chosen,
                      int usedFolds, Map<Double, Double> cv) {
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
        return new Head(folded, st, chosen, fitted.summary().totalIterations(), List.copyOf(classes), usedFolds, cv);
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
     * {@code evaluate} load, with {@code model.onnx} where the export succeeds. The folder must not
     * exist or must be empty.
     */
    public static Saved save(Path dir, BackboneBroadcast backbone, Head head) throws IOException {
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
        return new Saved(model, ModelFiles.save(dir, model, backbone.recipeJson(), head.classes()).onnxStatus());
    }

    /**
     * @param model the backbone with the head
     * @param onnx  the ONNX file's path, or "not written: " and why
     */
    public record Saved(Classifier model, String onnx) {
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
