package dev.fineturn.spark;

import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.Function1;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Runs one task per partition as a barrier stage and collects what the ranks report. */
final class BarrierStages {
    private BarrierStages() {
    }

    /** The body of one barrier task: its partition's rows in, one state per rank out. */
    interface Task extends Serializable {
        Iterator<ReplicaState> run(Iterator<Row> rows) throws IOException;
    }

    static List<ReplicaState> run(JavaRDD<Row> shards, Task task) {
        Function1<scala.collection.Iterator<Row>, scala.collection.Iterator<ReplicaState>> f = fn(task);
        ClassTag<ReplicaState> tag = ClassTag$.MODULE$.apply(ReplicaState.class);
        Object out = shards.rdd().barrier().mapPartitions(f, false, tag).collect();
        List<ReplicaState> list = new ArrayList<>();
        for (Object o : (Object[]) out) {
            list.add((ReplicaState) o);
        }
        return list;
    }

    static ReplicaState rank0(List<ReplicaState> ranks) {
        return ranks.stream().filter(r -> r.rank() == 0).findFirst().orElseThrow();
    }

    /** Refuses to start a barrier job of {@code workers} tasks that the cluster cannot run at once. */
    static void checkCluster(SparkSession spark, int workers, String what) {
        var conf = spark.sparkContext().getConf();
        if (conf.getBoolean("spark.dynamicAllocation.enabled", false)) {
            throw new IllegalStateException(what + " needs a fixed set of executors: turn "
                    + "spark.dynamicAllocation.enabled off (barrier stages do not run with dynamic allocation)");
        }
        int taskCpus = conf.getInt("spark.task.cpus", 1);
        int slots = spark.sparkContext().defaultParallelism() / taskCpus;
        if (workers > slots) {
            throw new IllegalStateException(what + " with " + workers + " workers needs " + workers
                    + " task slots at once, the cluster has " + slots + " (" + spark.sparkContext()
                    .defaultParallelism() + " cores, spark.task.cpus " + taskCpus + ")");
        }
    }

    /** Spark's job failure is a checked {@link SparkException} that Scala code throws undeclared. */
    static boolean isSparkFailure(Throwable t) {
        return t instanceof SparkException || t.getClass().getName().startsWith("org.apache.spark.");
    }

    private static Function1<scala.collection.Iterator<Row>, scala.collection.Iterator<ReplicaState>> fn(Task task) {
        return (Function1<scala.collection.Iterator<Row>, scala.collection.Iterator<ReplicaState>> & Serializable)
                it -> {
                    try {
                        return CollectionConverters.asScala(task.run(CollectionConverters.asJava(it)));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                };
    }
}
