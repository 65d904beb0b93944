package dev.fineturn.cli;

import dev.fineturn.io.NamedTensor;
import dev.fineturn.io.Safetensors;
import dev.fineturn.models.arch.Architectures;
import dev.fineturn.models.numpy.NpyWriter;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Init;
import dev.fineturn.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --model, --arch, --weights and --num-classes mean the same in every command. */
class ModelFlagsCliTest {
    @TempDir
    Path dir;

    private Path lenetWeights() throws Exception {
        Init.useBackend(ReferenceBackend.get());
        Init.seed(3);
        Classifier net = Architectures.create("lenet", 10);
        List<NamedTensor> ts = new ArrayList<>();
        net.stateDict().forEach((k, v) -> ts.add(NamedTensor.of(k, v)));
        Path f = dir.resolve("lenet.safetensors");
        Safetensors.write(f, ts, Map.of());
        return f;
    }

    @Test
    void architectureAndWeightsAreNamedTheSameWayEverywhere() throws Exception {
        Path w = lenetWeights();
        Path data = RecipeCliTest.csv(dir, 40);
        Path batch = dir.resolve("batch.npy");
        float[] px = new float[2 * 28 * 28];
        for (int i = 0; i < px.length; i++) {
            px[i] = (i % 17) / 17f;
        }
        NpyWriter.write(batch, new int[]{2, 1, 28, 28}, px);

        // predict: an architecture with --weights, or a weights file with --arch, give the same logits.
        CliTest.Run a = CliTest.run("predict", "--model", "lenet", "--weights", w.toString(), "--input",
                batch.toString(), "--output", dir.resolve("a.npy").toString(), "--quiet");
        assertEquals(0, a.code(), a.err());
        CliTest.Run b = CliTest.run("predict", "--model", w.toString(), "--arch", "lenet", "--input",
                batch.toString(), "--output", dir.resolve("b.npy").toString(), "--quiet");
        assertEquals(0, b.code(), b.err());
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(dir.resolve("a.npy")),
                Files.readAllBytes(dir.resolve("b.npy"))), "the same model either way");

        // evaluate and finetune take --arch with --weights too.
        CliTest.Run e = CliTest.run("evaluate", "--arch", "lenet", "--weights", w.toString(), "--data",
                data.toString(), "--size", "28", "--quiet");
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("accuracy"), e.out());
        CliTest.Run f = CliTest.run("finetune", "--arch", "lenet", "--weights", w.toString(), "--data",
                data.toString(), "--strategy", "features", "--size", "28", "--out", dir.resolve("ft").toString(),
                "--quiet");
        assertEquals(0, f.code(), f.err());

        // inspect names a model the same way, and the class count is checked against the weights.
        CliTest.Run i = CliTest.run("inspect", "--arch", "lenet", "--weights", w.toString());
        assertEquals(0, i.code(), i.err());
        assertTrue(i.out().contains("with weights from") && i.out().contains("parameters:"), i.out());
        CliTest.Run bad = CliTest.run("predict", "--arch", "lenet", "--weights", w.toString(), "--num-classes", "5",
                "--input", batch.toString(), "--output", dir.resolve("c.npy").toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("--num-classes 5") && bad.err().contains("has 10 outputs"), bad.err());
        CliTest.Run none = CliTest.run("evaluate", "--data", data.toString());
        assertEquals(1, none.code());
        assertTrue(none.err().contains("give --model FILE|ARCH, or --arch NAME with --weights FILE"), none.err());
    }
}
