package dev.fineturn.spark;

import dev.fineturn.data.InMemoryDataset;
import dev.fineturn.train.linear.Lbfgs;
import dev.fineturn.train.linear.LogisticRegression;
import dev.fineturn.train.linear.Standardizer;
import dev.fineturn.train.linear.StratifiedFolds;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A sweep of configurations times cross-validation folds as independent Spark tasks on cached
 * features: each task fits one configuration's linear head on k - 1 folds and scores the held-out
 * fold. The features are standardised on all rows and split into the local probe's stratified
 * folds, so the table equals the local sweep's, spread over the cluster.
 */
public final class SparkSweep {
    /** Gradient tolerance of the fits that only select C, as the local probe's. */
    static final double SELECTION_TOLERANCE = 1e-4;

    private final SparkSession spark;

    public SparkSweep(SparkSession spark) {
        this.spark = spark;
    }

    /** One configuration's held-out accuracies, fold by fold, with their mean and population deviation. */
    public record Row(double c, double[] folds, double mean, double std) {
    }

    /** Every configuration, in grid order, and the one with the best mean (the smallest C among ties). */
    public record Result(List<Row> rows, double bestC, int folds, long tasks) {
    }

    private record Task(int config, int fold) implements Serializable {
    }

    private record Data(float[] z, int features, int[] labels, int classes, int[] fold) implements Serializable {
    }

    /** Cross-validates a linear head for every C of {@code grid} on a feature table. */
    public Result linearHeads(String table, double[] grid, int folds, long seed) {
        FeatureTables.Local l = FeatureTables.collect(spark, table);
        InMemoryDataset d = l.data();
        int f = d.sampleShape()[0];
        float[] x = new float[d.size() * f];
        int[] labels = new int[d.size()];
        for (int i = 0; i < d.size(); i++) {
            System.arraycopy(d.get(i).pixels(), 0, x, i * f, f);
            labels[i] = d.label(i);
        }
        int classes = l.classes().size();
        int k = Math.min(folds, StratifiedFolds.smallestClass(labels, classes));
        if (k < 2) {
            throw new IllegalArgumentException("sweep: " + folds + " folds need at least 2 rows of every class; the "
                    + "smallest class of " + table + " has " + StratifiedFolds.smallestClass(labels, classes));
        }
        Data data = new Data(Standardizer.fit(x, f).apply(x), f, labels, classes,
                StratifiedFolds.assign(labels, classes, k, seed));
        double[] cs = grid.clone();
        List<Task> tasks = new ArrayList<>();
        for (int c = 0; c < cs.length; c++) {
            for (int fold = 0; fold < k; fold++) {
                tasks.add(new Task(c, fold));
            }
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<Data> b = jsc.broadcast(data);
        List<double[]> scores;
        try {
            scores = jsc.parallelize(tasks, tasks.size()).map(t -> {
                Data in = b.value();
                int[] train = StratifiedFolds.rows(in.fold(), t.fold(), false);
                int[] held = StratifiedFolds.rows(in.fold(), t.fold(), true);
                LogisticRegression.Model m = new LogisticRegression(cs[t.config()],
                        new Lbfgs(10, SELECTION_TOLERANCE, 1e-10, 1000), 1)
                        .fit(in.z(), in.features(), in.labels(), in.classes(), train, null).model();
                return new double[]{t.config(), t.fold(), LogisticRegression.accuracy(m, in.z(), in.labels(), held)};
            }).collect();
        } finally {
            b.destroy();
        }
        double[][] acc = new double[cs.length][k];
        for (double[] s : scores) {
            acc[(int) s[0]][(int) s[1]] = s[2];
        }
        List<Row> rows = new ArrayList<>();
        int best = -1;
        for (int c = 0; c < cs.length; c++) {
            double mean = Arrays.stream(acc[c]).sum() / k;
            double var = Arrays.stream(acc[c]).map(a -> (a - mean) * (a - mean)).sum() / k;
            rows.add(new Row(cs[c], acc[c], mean, Math.sqrt(var)));
            if (best < 0 || mean > rows.get(best).mean() + 1e-12
                    || Math.abs(mean - rows.get(best).mean()) <= 1e-12 && cs[c] < cs[best]) {
                best = c;
            }
        }
        return new Result(rows, cs[best], k, tasks.size());
    }
}
