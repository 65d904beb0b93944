package dev.fineturn.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.ToolProvider;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * JPMS users get the same discovery as class-path users: a named module that requires only
 * dev.fineturn.core finds the cpu, opencl and reference backends through {@code uses}/{@code provides}.
 */
class ModulePathTest {
    @TempDir
    Path dir;

    @Test
    void backendsAreDiscoveredOnTheModulePath() throws Exception {
        String modulePath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> e.contains("fineturn-core") || e.contains("fineturn-backend-cpu")
                        || e.contains("fineturn-backend-opencl") || e.contains("jackson") || e.contains("jocl"))
                .filter(e -> !e.contains("test-classes") && !e.endsWith("-tests.jar"))
                .collect(Collectors.joining(File.pathSeparator));
        Path src = dir.resolve("src/demo");
        Files.createDirectories(src.resolve("demo"));
        Files.writeString(src.resolve("module-info.java"), "module demo { requires dev.fineturn.core; }");
        Files.writeString(src.resolve("demo/Main.java"), """
                package demo;
                public class Main {
                    public static void main(String[] a) {
                        for (var s : dev.fineturn.backend.Backends.statuses()) {
                            System.out.println(s.name() + " " + s.available());
                        }
                    }
                }
                """);
        Path out = dir.resolve("out");
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", out.toString(), "--module-path",
                modulePath, src.resolve("module-info.java").toString(), src.resolve("demo/Main.java").toString());
        assertEquals(0, rc, "compiling the demo module against " + modulePath);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path log = dir.resolve("run.log");
        Process p = new ProcessBuilder(List.of(java.toString(), "--add-modules", "jdk.incubator.vector,ALL-MODULE-PATH",
                "--enable-native-access=ALL-UNNAMED,jocl", "--module-path", modulePath + File.pathSeparator + out,
                "-m", "demo/demo.Main")).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        String output = Files.readString(log);
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("cpu true") && output.contains("reference true") && output.contains("opencl"),
                output);
    }
}
