package dev.fineturn.spark;

import dev.fineturn.data.InMemoryDataset;
import dev.fineturn.train.linear.Standardizer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/**
 * The rows of a feature table dealt to the ranks of a data-parallel job: row i of the local order
 * (label, then id) goes to shard i mod n, and partition r holds shard r, as rows
 * {@code id, label, features}.
 */
final class FeatureShards {
    private FeatureShards() {
    }

    static JavaRDD<Row> of(SparkSession spark, String table, int n) {
        return deal(inLocalOrder(spark, table), n);
    }

    /** The table's rows {@code id, label, features} in local order (label, then id). */
    static JavaRDD<Row> inLocalOrder(SparkSession spark, String table) {
        return spark.read().parquet(table).select("id", "label", "features").orderBy("label", "id").javaRDD();
    }

    /** Row i of {@code rows} (in their order) to shard i mod n, partition r holding shard r; any rows. */
    static JavaRDD<Row> deal(JavaRDD<Row> rows, int n) {
        return rows.zipWithIndex().mapToPair(t -> new Tuple2<>((int) (t._2() % n), t._1()))
                .partitionBy(new SparkFineTuner.ExactPartitioner(n)).values();
    }

    /** Rows {@code id, label, features} of {@code d} features each as a dataset, in their order. */
    static InMemoryDataset dataset(List<Row> rows, int d, int classes) {
        float[] x = new float[rows.size() * d];
        int[] labels = new int[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            labels[i] = r.getInt(1);
            List<Float> v = r.getList(2);
            if (v.size() != d) {
                throw new IllegalArgumentException("MLP head: row " + r.getString(0) + " has " + v.size()
                        + " features, the table's first row " + d);
            }
            for (int j = 0; j < d; j++) {
                x[i * d + j] = v.get(j);
            }
        }
        return new InMemoryDataset(x, labels, new int[]{d, 1, 1}, classes);
    }

    /** A shard's rows in local order (a shuffle delivers them in any order). */
    static List<Row> sorted(Iterator<Row> rows) {
        List<Row> out = new ArrayList<>();
        rows.forEachRemaining(out::add);
        out.sort(Comparator.<Row>comparingInt(r -> r.getInt(1)).thenComparing(r -> r.getString(0)));
        return out;
    }

    /** Rows of each shard. */
    static long[] sizes(JavaRDD<Row> shards) {
        List<Long> counts = shards.mapPartitions(it -> {
            long c = 0;
            while (it.hasNext()) {
                it.next();
                c++;
            }
            return List.of(c).iterator();
        }).collect();
        return counts.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * The population moments of the features, summed in local order within each shard and over the
     * shards in rank order: with one shard the same sums, bit for bit, as {@link Standardizer#fit}.
     */
    static Standardizer moments(JavaRDD<Row> shards, int d) {
        List<double[]> sums = shards.mapPartitions(it -> {
            double[] acc = new double[d + 1];
            for (Row r : sorted(it)) {
                List<Float> v = r.getList(2);
                for (int j = 0; j < d; j++) {
                    acc[j] += v.get(j);
                }
                acc[d]++;
            }
            return List.of(acc).iterator();
        }).collect();
        double[] mean = combine(sums, d);
        long n = Math.round(sums.stream().mapToDouble(s -> s[d]).sum());
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        List<double[]> squares = shards.mapPartitions(it -> {
            double[] acc = new double[d];
            for (Row r : sorted(it)) {
                List<Float> v = r.getList(2);
                for (int j = 0; j < d; j++) {
                    double dev = v.get(j) - mean[j];
                    acc[j] += dev * dev;
                }
            }
            return List.of(acc).iterator();
        }).collect();
        double[] std = combine(squares, d);
        for (int j = 0; j < d; j++) {
            std[j] = Math.sqrt(std[j] / n);
        }
        return Standardizer.fromMoments(mean, std);
    }

    private static double[] combine(List<double[]> parts, int d) {
        double[] out = new double[d];
        for (double[] p : parts) {
            for (int j = 0; j < d; j++) {
                out[j] += p[j];
            }
        }
        return out;
    }
}
