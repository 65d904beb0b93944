package dev.fineturn.examples;

import dev.fineturn.io.NamedTensor;
import dev.fineturn.io.Safetensors;
import dev.fineturn.models.arch.Architectures;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Init;
import dev.fineturn.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An application that reads only safetensors/.pth weights links with jlink into a runtime image
 * that holds neither protobuf-java nor jHDF, runs there, and is told in one line what reading ONNX
 * would need.
 */
class JlinkTest {
    @TempDir
    Path dir;

    @Test
    void aWeightsOnlyApplicationLinksWithoutTheOptionalImporterModules() throws Exception {
        List<String> path = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("test-classes") && !e.contains("junit") && !e.contains("opentest4j")
                        && !e.contains("apiguardian") && !e.contains("protobuf") && !e.contains("jhdf"))
                .toList();
        assertTrue(path.stream().anyMatch(e -> e.contains("fineturn-models")), "models on the path: " + path);
        Path javaHome = Path.of(System.getProperty("java.home"));
        Path image = dir.resolve("image");
        Process link = new ProcessBuilder(javaHome.resolve("bin/jlink").toString(), "--module-path",
                String.join(File.pathSeparator, path), "--add-modules",
                "dev.fineturn.examples,dev.fineturn.backend.cpu,jdk.incubator.vector", "--output", image.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("jlink.log").toFile()).start();
        assertTrue(link.waitFor(240, TimeUnit.SECONDS), "jlink finishes");
        assertEquals(0, link.exitValue(), Files.readString(dir.resolve("jlink.log")));
        String modules = new String(new ProcessBuilder(image.resolve("bin/java").toString(), "--list-modules")
                .start().getInputStream().readAllBytes());
        assertTrue(modules.contains("dev.fineturn.models"), modules);
        assertFalse(modules.contains("protobuf") || modules.contains("jhdf"), modules);

        Init.useBackend(ReferenceBackend.get());
        Init.seed(2);
        Classifier lenet = Architectures.create("lenet", 10);
        List<NamedTensor> ts = new ArrayList<>();
        lenet.stateDict().forEach((k, v) -> ts.add(NamedTensor.of(k, v)));
        Path weights = dir.resolve("lenet.safetensors");
        Safetensors.write(weights, ts, Map.of());
        Path log = dir.resolve("run.log");
        Process run = new ProcessBuilder(image.resolve("bin/java").toString(), "--add-modules",
                "jdk.incubator.vector,dev.fineturn.backend.cpu", "-m",
                "dev.fineturn.examples/dev.fineturn.examples.WeightsOnly", "lenet", weights.toString(), "4",
                dir.resolve("model").toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(run.waitFor(120, TimeUnit.SECONDS));
        String out = Files.readString(log);
        assertEquals(0, run.exitValue(), out);
        assertTrue(out.contains("4 classes; model folder saved; ONNX not written: ONNX export needs the module "
                + "com.google.protobuf"), out);
        assertTrue(out.contains("reading ONNX (" + weights + ") needs the module com.google.protobuf"), out);
        assertTrue(Files.isRegularFile(dir.resolve("model").resolve("model.safetensors")));
        assertFalse(out.lines().anyMatch(l -> l.contains("Exception")), out);
        assertEquals(1, out.lines().filter(l -> l.contains("classes;")).count(), out);
        String joined = path.stream().collect(Collectors.joining(" "));
        assertFalse(joined.contains("protobuf"), joined);
    }
}
