package dev.fineturn.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fineturn.backend.Backends;
import dev.fineturn.io.AtomicFiles;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The standard suite behind {@code fineturn bench}: GEMM, convolution layers and a ResNet-18 step on
 * each backend, as rows with units; each benchmark's {@link Throughput} turns its time into a rate.
 * Run as {@code java -cp benchmarks.jar dev.fineturn.bench.Suite [--quick] [--backend a,b]
 * [--only gemm,conv,resnet] [--json FILE]}.
 */
public final class Suite {
    /** The benchmark families, by the name {@code --only} takes. */
    public static final List<String> FAMILIES = List.of("gemm", "conv", "resnet");

    /** One result: a benchmark family on a backend, its other parameters, and its rate. */
    public record Row(String name, String backend, Map<String, String> params, double score, String unit) {
    }

    private final boolean quick;

    public Suite(boolean quick) {
        this.quick = quick;
    }

    /** Runs the chosen families on the named backends (every available one but the reference when empty). */
    public List<Row> run(List<String> families, List<String> backends) throws RunnerException {
        List<String> names = backends.isEmpty() ? Backends.statuses().stream()
                .filter(Backends.Status::available).map(Backends.Status::name)
                .filter(n -> !n.equals("reference")).toList() : backends;
        for (String n : names) {
            Backends.get(n);
        }
        String[] all = names.toArray(String[]::new);
        List<Row> rows = new ArrayList<>();
        if (families.contains("gemm")) {
            rows.addAll(run("gemm", GemmBenchmark.class, GemmBenchmark.THROUGHPUT, params("backend", all,
                    "n", quick ? new String[]{"512", "1024"} : new String[]{"128", "256", "512", "1024", "2048"},
                    "threads", quick ? new String[]{"2"} : new String[]{"1", "2"})));
            // Device backends again with GEMMs issued back to back: launch latency, not a sync, per GEMM.
            String[] devices = names.stream().filter(n -> !n.equals("cpu")).toArray(String[]::new);
            if (devices.length > 0) {
                rows.addAll(run("gemm", GemmBenchmark.class, GemmBenchmark.THROUGHPUT, params("backend", devices,
                        "n", quick ? new String[]{"256"} : new String[]{"128", "256"},
                        "threads", new String[]{"2"}, "queue", new String[]{"8"})));
            }
        }
        if (families.contains("conv")) {
            rows.addAll(run("conv", ConvBenchmark.class, ConvBenchmark.THROUGHPUT, params("backend", all,
                    "layer", quick ? new String[]{"cifar", "depthwise"} : new String[]{"resnet", "cifar", "depthwise"},
                    "pass", new String[]{"forward", "forward+backward"},
                    "threads", quick ? new String[]{"2"} : new String[]{"1", "2"})));
        }
        if (families.contains("resnet")) {
            rows.addAll(run("resnet18", ResNetStepBenchmark.class, ResNetStepBenchmark.THROUGHPUT, params("backend", all,
                    "mode", new String[]{"head", "partial", "full", "inference"}, "threads", new String[]{"2"})));
        }
        return rows;
    }

    private static Map<String, String[]> params(Object... keysAndValues) {
        Map<String, String[]> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], (String[]) keysAndValues[i + 1]);
        }
        return m;
    }

    private List<Row> run(String name, Class<?> benchmark, Throughput throughput, Map<String, String[]> params)
            throws RunnerException {
        ChainedOptionsBuilder o = new OptionsBuilder().include(benchmark.getName().replace(".", "\\.") + "\\.")
                .shouldFailOnError(true).verbosity(quick ? VerboseMode.SILENT : VerboseMode.NORMAL);
        params.forEach(o::param);
        if (quick) {
            o.forks(1).warmupIterations(1).warmupTime(TimeValue.seconds(1)).measurementIterations(2)
                    .measurementTime(TimeValue.seconds(2));
        }
        List<Row> rows = new ArrayList<>();
        for (RunResult r : new Runner(o.build()).run()) {
            Map<String, String> p = new TreeMap<>();
            for (String k : r.getParams().getParamsKeys()) {
                p.put(k, r.getParams().getParam(k));
            }
            double rate = throughput.rate(p, r.getPrimaryResult().getScore());
            String backend = p.remove("backend");
            rows.add(new Row(name, backend, p, rate, throughput.unit()));
        }
        return rows;
    }

    /** The rows as a table. */
    public static String table(List<Row> rows) {
        StringBuilder s = new StringBuilder(String.format("%-8s %-8s %-44s %12s%n", "bench", "backend", "params", "score"));
        for (Row r : rows) {
            s.append(String.format("%-8s %-8s %-44s %10.1f %s%n", r.name(), r.backend(), r.params(), r.score(), r.unit()));
        }
        return s.toString();
    }

    /** Writes the rows as {@code {"results": [{name, backend, params, score, unit}, ...]}}. */
    public static void writeJson(List<Row> rows, Path file) throws IOException {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        ArrayNode arr = root.putArray("results");
        for (Row r : rows) {
            ObjectNode o = arr.addObject().put("name", r.name()).put("backend", r.backend());
            ObjectNode p = o.putObject("params");
            r.params().forEach((k, v) -> {
                try {
                    p.put(k, Integer.parseInt(v));
                } catch (NumberFormatException e) {
                    p.put(k, v);
                }
            });
            o.put("score", Math.round(r.score() * 10) / 10.0).put("unit", r.unit());
        }
        AtomicFiles.write(file, m.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    }

    public static void main(String[] args) throws Exception {
        SuiteArgs a;
        try {
            a = SuiteArgs.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        List<Row> rows = new Suite(a.quick()).run(a.families(), a.backends());
        System.out.printf("%n%s", table(rows));
        if (a.json() != null) {
            writeJson(rows, a.json());
            System.out.println("wrote " + a.json());
        }
    }
}
