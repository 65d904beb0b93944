package dev.fineturn.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code fineturn bench}: runs the benchmark suite of {@code benchmarks.jar} (GEMM, convolution
 * layers, a ResNet-18 training step on every available backend) in its own JVM, which prints the
 * table of GFLOP/s and img/s and optionally writes JSON.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark GEMM, convolution and ResNet-18 training on the available backends (JMH).")
final class BenchCommand implements Callable<Integer> {
    /** Where the launcher says the benchmarks jar is; else it is looked for beside the CLI's build. */
    static final String JAR_PROPERTY = "fineturn.benchmarks.jar";
    static final String SUITE = "dev.fineturn.bench.Suite";

    @Option(names = "--quick", description = "A few minutes: fewer sizes, one fork, short iterations.")
    boolean quick;

    @Option(names = "--backend", split = ",", description = "Only these backends (default: every available one).")
    List<String> backends;

    @Option(names = "--only", split = ",", description = "Only these benchmarks: gemm, conv, resnet.")
    List<String> only;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
    Path json;

    @Override
    public Integer call() throws Exception {
        Path jar = benchmarksJar();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("no benchmarks jar at " + jar
                    + "; build it with ./mvnw -B -pl benchmarks -am package -DskipTests");
        }
        Process p = new ProcessBuilder(command(jar)).inheritIO().start();
        return p.waitFor();
    }

    /** The suite's command line: this JVM's java, the Vector API and native access, the suite's options. */
    List<String> command(Path jar) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", jar.toString(), SUITE));
        if (quick) {
            cmd.add("--quick");
        }
        if (backends != null) {
            cmd.addAll(List.of("--backend", String.join(",", backends)));
        }
        if (only != null) {
            cmd.addAll(List.of("--only", String.join(",", only)));
        }
        if (json != null) {
            cmd.addAll(List.of("--json", json.toAbsolutePath().toString()));
        }
        return cmd;
    }

    static Path benchmarksJar() {
        String configured = System.getProperty(JAR_PROPERTY);
        if (configured != null) {
            return Path.of(configured);
        }
        // The CLI runs from fineturn-cli/target/fineturn.jar; the suite is benchmarks/target/benchmarks.jar.
        try {
            Path self = Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return self.toAbsolutePath().getParent().getParent().getParent().resolve("benchmarks/target/benchmarks.jar");
        } catch (Exception e) {
            return Path.of("benchmarks", "target", "benchmarks.jar");
        }
    }
}
