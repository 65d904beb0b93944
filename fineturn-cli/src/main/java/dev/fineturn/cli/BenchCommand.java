package dev.fineturn.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fineturn.backend.Backends;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code fineturn bench}: the JMH benchmarks (GEMM, convolution layers, a ResNet-18 training step)
 * on every available backend, as a table of GFLOP/s and img/s, optionally as JSON.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark GEMM, convolution and ResNet-18 training on the available backends (JMH).")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--quick", description = "A few minutes: fewer sizes, one fork, short iterations.")
    boolean quick;

    @Option(names = "--backend", split = ",", description = "Only these backends (default: every available one).")
    List<String> backends;

    @Option(names = "--only", split = ",", description = "Only these benchmarks: gemm, conv, resnet.")
    List<String> only;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
    Path json;

    /** One result row. */
    record Row(String name, String backend, Map<String, String> params, double score, String unit) {
    }

    @Override
    public Integer call() throws Exception {
        List<String> names = backends != null ? backends : Backends.statuses().stream()
                .filter(Backends.Status::available).map(Backends.Status::name)
                .filter(n -> !n.equals("reference")).toList();
        for (String n : names) {
            Backends.get(n);
        }
        List<Row> rows = new ArrayList<>();
        List<String> which = only != null ? only : List.of("gemm", "conv", "resnet");
        String[] bk = names.toArray(String[]::new);
        if (which.contains("gemm")) {
            rows.addAll(run("GemmBenchmark", Map.of("backend", bk,
                    "n", quick ? new String[]{"512", "1024"} : new String[]{"128", "256", "512", "1024", "2048"},
                    "threads", quick ? new String[]{"2"} : new String[]{"1", "2"})));
            // Device backends again with GEMMs issued back to back: launch latency, not a sync, per GEMM.
            String[] devices = names.stream().filter(n -> !n.equals("cpu")).toArray(String[]::new);
            if (devices.length > 0) {
                rows.addAll(run("GemmBenchmark", Map.of("backend", devices,
                        "n", quick ? new String[]{"256"} : new String[]{"128", "256"},
                        "threads", new String[]{"2"}, "queue", new String[]{"8"})));
            }
        }
        if (which.contains("conv")) {
            rows.addAll(run("ConvBenchmark", Map.of("backend", bk,
                    "layer", quick ? new String[]{"cifar", "depthwise"} : new String[]{"resnet", "cifar", "depthwise"},
                    "pass", new String[]{"forward", "forward+backward"},
                    "threads", quick ? new String[]{"2"} : new String[]{"1", "2"})));
        }
        if (which.contains("resnet")) {
            rows.addAll(run("ResNetStepBenchmark", Map.of("backend", bk,
                    "mode", new String[]{"head", "partial", "full", "inference"}, "threads", new String[]{"2"})));
        }
        System.out.printf("%n%-8s %-8s %-44s %12s%n", "bench", "backend", "params", "score");
        for (Row r : rows) {
            System.out.printf("%-8s %-8s %-44s %10.1f %s%n", r.name(), r.backend(), r.params(), r.score(), r.unit());
        }
        if (json != null) {
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
            m.writerWithDefaultPrettyPrinter().writeValue(json.toFile(), root);
            System.out.println("wrote " + json);
        }
        return 0;
    }

    private List<Row> run(String benchmark, Map<String, String[]> params) throws Exception {
        ChainedOptionsBuilder o = new OptionsBuilder().include("dev\\.fineturn\\.bench\\." + benchmark + "\\.")
                .shouldFailOnError(true).verbosity(quick ? VerboseMode.SILENT : VerboseMode.NORMAL);
        params.forEach(o::param);
        if (quick) {
            o.forks(1).warmupIterations(1).warmupTime(TimeValue.seconds(1)).measurementIterations(2)
                    .measurementTime(TimeValue.seconds(2));
        }
        Collection<RunResult> results = new Runner(o.build()).run();
        List<Row> rows = new ArrayList<>();
        for (RunResult r : results) {
            Map<String, String> p = new TreeMap<>();
            for (String k : r.getParams().getParamsKeys()) {
                p.put(k, r.getParams().getParam(k));
            }
            String backend = p.remove("backend");
            double ms = r.getPrimaryResult().getScore();
            switch (benchmark) {
                case "GemmBenchmark" -> {
                    double n = Double.parseDouble(p.get("n"));
                    double queue = Double.parseDouble(p.getOrDefault("queue", "1"));
                    rows.add(new Row("gemm", backend, p, queue * 2 * n * n * n / (ms * 1e6), "GFLOP/s"));
                }
                case "ConvBenchmark" -> rows.add(new Row("conv", backend, p,
                        dev.fineturn.bench.ConvBenchmark.flops(p.get("layer"), p.get("pass")) / (ms * 1e6), "GFLOP/s"));
                default -> rows.add(new Row("resnet18", backend, p,
                        Integer.parseInt(p.getOrDefault("batch", "" + dev.fineturn.bench.ResNetStepBenchmark.BATCH))
                                / (ms / 1000), "img/s"));
            }
            if (!quick) {
                System.out.println();
            }
        }
        return rows;
    }
}
