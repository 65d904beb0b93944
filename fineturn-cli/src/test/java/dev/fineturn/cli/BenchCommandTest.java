package dev.fineturn.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BenchCommandTest {
    @TempDir
    Path dir;

    @Test
    void passesItsOptionsToTheSuiteInAJvmOfItsOwn() {
        BenchCommand b = new BenchCommand();
        new CommandLine(b).parseArgs("--quick", "--backend", "cpu,opencl", "--only", "gemm,conv", "--json", "r.json");
        List<String> cmd = b.command(Path.of("/opt/b.jar"));
        assertEquals(Path.of(System.getProperty("java.home"), "bin", "java").toString(), cmd.getFirst());
        assertEquals(List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", "/opt/b.jar", "dev.fineturn.bench.Suite", "--quick", "--backend", "cpu,opencl",
                "--only", "gemm,conv", "--json", Path.of("r.json").toAbsolutePath().toString()),
                cmd.subList(1, cmd.size()));
    }

    @Test
    void aMissingBenchmarksJarIsOneLineSayingHowToBuildIt() {
        Path missing = dir.resolve("benchmarks.jar");
        String old = System.setProperty(BenchCommand.JAR_PROPERTY, missing.toString());
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertEquals(1, Main.run("bench", "--quick"));
        } finally {
            System.setErr(err);
            if (old == null) {
                System.clearProperty(BenchCommand.JAR_PROPERTY);
            } else {
                System.setProperty(BenchCommand.JAR_PROPERTY, old);
            }
        }
        assertEquals("fineturn: no benchmarks jar at " + missing
                + "; build it with ./mvnw -B -pl benchmarks -am package -DskipTests\n", buf.toString(StandardCharsets.UTF_8));
    }
}
