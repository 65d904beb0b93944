package dev.fineturn.models.onnx;

import dev.fineturn.models.arch.Architectures;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Init;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
 * A JPMS application that requires ONNX Runtime's automatic module {@code com.microsoft.onnxruntime}
 * loads its native library from the jar and runs an exported model with fineturn's logits; it
 * needs {@code --enable-native-access=com.microsoft.onnxruntime} to run without a warning.
 */
class OnnxRuntimeModulePathTest {
    @TempDir
    Path dir;

    @Test
    void anExportedModelRunsOnTheModulePath() throws Exception {
        Init.useBackend(ReferenceBackend.get());
        Init.seed(41);
        Classifier lenet = OnnxRuntimeParityTest.randomStatistics(Architectures.create("lenet", 4));
        lenet.eval();
        Path model = dir.resolve("lenet.onnx");
        OnnxExport.write(lenet, 28, 28, GraphModel.Layout.NCHW, model);
        Tensor x = Tensor.uniform(ReferenceBackend.get(), 2, 0f, 1f, 1, 1, 28, 28);
        float[] expected;
        try (var g = GradMode.noGrad()) {
            expected = lenet.forward(x).toArray();
        }
        Path input = dir.resolve("x.txt");
        Files.writeString(input, Arrays.toString(x.toArray()).replaceAll("[\\[\\] ]", ""));

        String modulePath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> e.contains("onnxruntime")).collect(Collectors.joining(File.pathSeparator));
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("check"));
        Files.writeString(src.resolve("module-info.java"), "module check { requires com.microsoft.onnxruntime; }");
        Files.writeString(src.resolve("check/Main.java"), """
                package check;
                import ai.onnxruntime.*;
                import java.nio.FloatBuffer;
                import java.nio.file.*;
                import java.util.*;
                public class Main {
                    public static void main(String[] a) throws Exception {
                        String[] v = Files.readString(Path.of(a[1])).split(",");
                        float[] x = new float[v.length];
                        for (int i = 0; i < v.length; i++) x[i] = Float.parseFloat(v[i]);
                        OrtEnvironment env = OrtEnvironment.getEnvironment();
                        try (OrtSession s = env.createSession(a[0], new OrtSession.SessionOptions());
                             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[]{1, 1, 28, 28});
                             OrtSession.Result r = s.run(Map.of("input", t))) {
                            System.out.println(Arrays.toString(((float[][]) r.get(0).getValue())[0]));
                        }
                    }
                }
                """);
        Path out = dir.resolve("out");
        Path bin = Path.of(System.getProperty("java.home"), "bin");
        Path log = dir.resolve("run.log");
        Process javac = new ProcessBuilder(List.of(bin.resolve("javac").toString(), "-d", out.toString(),
                "--module-path", modulePath, src.resolve("module-info.java").toString(),
                src.resolve("check/Main.java").toString())).redirectErrorStream(true).redirectOutput(log.toFile())
                .start();
        assertTrue(javac.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, javac.exitValue(), "compiling against " + modulePath + ": " + Files.readString(log));
        Path java = bin.resolve("java");
        Process p = new ProcessBuilder(List.of(java.toString(), "--enable-native-access=com.microsoft.onnxruntime",
                "--module-path", modulePath + File.pathSeparator + out, "-m", "check/check.Main", model.toString(),
                input.toString())).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        String output = Files.readString(log).strip();
        assertEquals(0, p.exitValue(), output);
        assertTrue(!output.contains("WARNING"), output);
        String[] got = output.substring(output.lastIndexOf('[') + 1, output.lastIndexOf(']')).split(", ");
        float[] actual = new float[got.length];
        for (int i = 0; i < got.length; i++) {
            actual[i] = Float.parseFloat(got[i]);
        }
        OnnxParityTest.assertClose("lenet on the module path", expected, actual, 1e-4);
    }
}
