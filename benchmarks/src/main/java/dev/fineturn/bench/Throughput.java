package dev.fineturn.bench;

import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * How a benchmark turns its time per operation into a rate: the work one operation does, given the
 * operation's JMH parameters, and the unit of the rate.
 */
public record Throughput(String unit, double unitSize, ToDoubleFunction<Map<String, String>> workPerOperation) {

    /** Floating-point operations, reported in GFLOP/s. */
    public static Throughput gflops(ToDoubleFunction<Map<String, String>> flopsPerOperation) {
        return new Throughput("GFLOP/s", 1e9, flopsPerOperation);
    }

    /** Images, reported in img/s. */
    public static Throughput images(ToDoubleFunction<Map<String, String>> imagesPerOperation) {
        return new Throughput("img/s", 1, imagesPerOperation);
    }

    /** The rate of one result: {@code params} are the result's JMH parameters, the time in milliseconds. */
    public double rate(Map<String, String> params, double millisPerOperation) {
        return workPerOperation.applyAsDouble(params) / unitSize / (millisPerOperation / 1000);
    }
}
