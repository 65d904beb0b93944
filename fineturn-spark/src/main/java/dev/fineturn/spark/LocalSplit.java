package dev.fineturn.spark;

import dev.fineturn.data.Dataset;
import dev.fineturn.data.Datasets;
import dev.fineturn.data.Sample;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import scala.reflect.ClassTag$;

import java.util.BitSet;
import java.util.List;

/**
 * Rows of images (or of their features) split into training and validation rows as the local
 * {@code Trainer} splits the images: {@link Datasets#split} over the rows in local order (label, then
 * the file, which is the image folder's order), so the same fraction and seed hold out the same
 * images on both sides.
 */
final class LocalSplit {
    private LocalSplit() {
    }

    /**
     * The two parts of a split; {@link #close()} releases the indexed rows they are read from, once
     * the caller has materialised (persisted and counted) what it needs of them.
     *
     * @param train the training rows in local order
     */
    record Parts(JavaRDD<Row> train, JavaPairRDD<Row, Long> indexed, Broadcast<BitSet> held)
            implements AutoCloseable {
        /** The held-out rows, collected to the driver in local order. */
        List<Row> validation() {
            return heldOut().sortByKey().values().collect();
        }

        /** The held-out rows on the cluster, keyed by their position among the held-out rows in local order. */
        JavaPairRDD<Long, Row> heldOut() {
            Broadcast<BitSet> b = held;
            return indexed.mapPartitionsToPair(rows -> {
                int[] positions = b.value().stream().toArray();
                List<scala.Tuple2<Long, Row>> out = new java.util.ArrayList<>();
                rows.forEachRemaining(t -> {
                    int rank = java.util.Arrays.binarySearch(positions, (int) (long) t._2());
                    if (rank >= 0) {
                        out.add(new scala.Tuple2<>((long) rank, t._1()));
                    }
                });
                return out.iterator();
            });
        }

        @Override
        public void close() {
            indexed.unpersist();
            held.destroy();
        }
    }

    /** Positions (in local order) of the rows the local split holds out, of {@code rows} rows. */
    static BitSet validationRows(long rows, double fraction, long seed) {
        if (rows > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a validation split of " + rows + " rows; at most "
                    + Integer.MAX_VALUE + " rows can be split (give a validation set instead)");
        }
        BitSet held = new BitSet((int) rows);
        for (int i : Datasets.split(new Positions((int) rows), fraction, seed).validation().indices()) {
            held.set(i);
        }
        return held;
    }

    /** Splits {@code rows}, given in local order; the indexed rows stay persisted until the parts are closed. */
    static Parts of(SparkSession spark, JavaRDD<Row> rows, double fraction, long seed) {
        JavaPairRDD<Row, Long> indexed = rows.zipWithIndex();
        indexed.persist(StorageLevel.MEMORY_AND_DISK());
        Broadcast<BitSet> b = null;
        try {
            b = spark.sparkContext().broadcast(validationRows(indexed.count(), fraction, seed),
                    ClassTag$.MODULE$.apply(BitSet.class));
            Broadcast<BitSet> held = b;
            JavaRDD<Row> train = indexed.filter(t -> !held.value().get((int) (long) t._2())).keys();
            return new Parts(train, indexed, b);
        } catch (RuntimeException e) {
            indexed.unpersist();
            if (b != null) {
                b.destroy();
            }
            throw e;
        }
    }

    /** Only a size, for {@link Datasets#split} to draw positions from; its samples are never read. */
    private record Positions(int size) implements Dataset {
        @Override
        public Sample get(int i) {
            throw new UnsupportedOperationException("positions only");
        }

        @Override
        public int[] sampleShape() {
            return new int[]{0};
        }

        @Override
        public int numClasses() {
            return 0;
        }
    }
}
