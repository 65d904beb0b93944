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
     * the caller has materialised (persisted and counted) what it needs of {@link #train()}.
     *
     * @param train      the training rows in local order
     * @param validation the held-out rows, collected to the driver in local order
     */
    record Parts(JavaRDD<Row> train, List<Row> validation, JavaPairRDD<Row, Long> indexed, Broadcast<BitSet> held)
            implements AutoCloseable {
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
            List<Row> validation = indexed.filter(t -> held.value().get((int) (long) t._2())).keys().collect();
            JavaRDD<Row> train = indexed.filter(t -> !held.value().get((int) (long) t._2())).keys();
            return new Parts(train, validation, indexed, b);
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
