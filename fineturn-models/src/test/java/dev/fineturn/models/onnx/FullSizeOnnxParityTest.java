package dev.fineturn.models.onnx;

import dev.fineturn.io.NamedTensor;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.numpy.NpyReader;
import dev.fineturn.nn.Init;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.tensor.GradMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Full-size torchvision resnet18 and mobilenet_v2 exported by PyTorch 1.13's torch.onnx (generated
 * at test time by make_onnx_fullsize.py: too large to commit) give PyTorch's logits within 1e-4
 * relative. Skipped, with the reason, where /usr/bin/python3 has no torch.
 */
class FullSizeOnnxParityTest {
    private static final Path PYTHON = Path.of(System.getProperty("fineturn.python", "/usr/bin/python3"));

    @TempDir
    static Path dir;
    private static String unavailable;

    @BeforeAll
    static void export() throws IOException, InterruptedException {
        if (!Files.isExecutable(PYTHON)) {
            unavailable = PYTHON + " not found";
            return;
        }
        Path log = dir.resolve("python.log");
        Process p = new ProcessBuilder(List.of(PYTHON.toString(), "-c", "import torch, torchvision"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            unavailable = PYTHON + " cannot import torch and torchvision";
            return;
        }
        p = new ProcessBuilder(List.of(PYTHON.toString(), "src/test/python/make_onnx_fullsize.py", dir.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), "export timed out");
        assertEquals(0, p.exitValue(), Files.readString(log));
    }

    @BeforeEach
    void requirePython() {
        assumeTrue(unavailable == null, () -> "full-size ONNX fixtures unavailable: " + unavailable);
        Init.useBackend(ReferenceBackend.get());
    }

    private static void check(String name) throws IOException {
        GraphModel m = OnnxModel.load(dir.resolve(name + ".onnx"));
        m.eval();
        NamedTensor x = NpyReader.read(dir.resolve(name + "_x.npy"));
        float[] expected = NpyReader.read(dir.resolve(name + "_y.npy")).data();
        float[] actual;
        try (var g = GradMode.noGrad()) {
            actual = m.forward(x.toTensor(ReferenceBackend.get())).toArray();
        }
        double max = 0;
        double err = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i]));
            err = Math.max(err, Math.abs(expected[i] - actual[i]));
        }
        System.out.printf("%s via ONNX: max |error| %.3g, max |logit| %.3g, relative %.3g%n", name, err, max,
                err / max);
        assertTrue(err <= 1e-4 * max, name + ": error " + err + " exceeds 1e-4 x " + max);
    }

    @Test
    void resnet18() throws IOException {
        check("resnet18");
    }

    @Test
    void mobilenetV2() throws IOException {
        check("mobilenet_v2");
    }
}
