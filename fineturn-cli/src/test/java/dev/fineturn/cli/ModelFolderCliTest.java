package dev.fineturn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fineturn.models.bundle.ModelBundle;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.onnx.OnnxModel;
import dev.fineturn.nn.Init;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model folder as the command line writes and reads it: self-contained (it outlives the file
 * it was imported from), shared with {@link ModelBundle}, and checked against the data it scores.
 */
class ModelFolderCliTest {
    private static final Path TINY_ONNX =
            Path.of("../fineturn-models/src/test/resources/fixtures/onnx/tiny_cnn_opset13");

    @TempDir
    Path dir;

    /** Two-class image folder: horizontal or vertical stripes, 24x24 PNGs. */
    static Path stripes(Path dir, String name, String... classes) throws Exception {
        Path root = dir.resolve(name);
        SplittableRandom r = new SplittableRandom(9);
        for (String cls : classes) {
            Files.createDirectories(root.resolve(cls));
            for (int i = 0; i < 8; i++) {
                BufferedImage img = new BufferedImage(24, 24, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 24; y++) {
                    for (int x = 0; x < 24; x++) {
                        boolean on = ((cls.startsWith("h") ? y : x) / 3) % 2 == 0;
                        int v = Math.min(255, (on ? 190 : 40) + r.nextInt(50));
                        img.setRGB(x, y, v << 16 | v << 8 | v);
                    }
                }
                ImageIO.write(img, "png", root.resolve(cls).resolve(i + ".png").toFile());
            }
        }
        return root.toAbsolutePath();
    }

    @Test
    void aFolderFineTunedFromAnOnnxFileWorksAfterTheFileIsDeleted() throws Exception {
        Path src = dir.resolve("downloads");
        Files.createDirectories(src);
        for (String f : new String[]{"model.onnx", "weights.bin"}) {
            Files.copy(TINY_ONNX.resolve(f), src.resolve(f));
        }
        Path data = stripes(dir, "train", "horizontal", "vertical");
        Path out = dir.resolve("run");
        CliTest.Run r = CliTest.run("finetune", "--model", src.resolve("model.onnx").toString(), "--data",
                data.toString(), "--strategy", "features", "--size", "16", "--no-augment", "--out", out.toString(),
                "--quiet", "--backend", "reference");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("ONNX: " + out.resolve("model").resolve("model.onnx")), r.out());
        String json = Files.readString(out.resolve("model/architecture.json"));
        assertFalse(json.contains(src.toAbsolutePath().toString()), json);
        CliTest.Run before = CliTest.run("predict", "--model", out.resolve("model").toString(), "--input",
                data.resolve("vertical").toString(), "--quiet", "--backend", "reference");
        assertEquals(0, before.code(), before.err());

        Files.delete(src.resolve("model.onnx"));
        Files.delete(src.resolve("weights.bin"));
        Files.delete(src);
        CliTest.Run after = CliTest.run("predict", "--model", out.resolve("model").toString(), "--input",
                data.resolve("vertical").toString(), "--quiet", "--backend", "reference");
        assertEquals(0, after.code(), after.err());
        assertEquals(before.out(), after.out());

        // The folder the command line wrote is a ModelBundle, with the names and size it was trained with.
        ModelBundle bundle = ModelBundle.load(out.resolve("model"), ReferenceBackend.get());
        assertEquals(List.of("horizontal", "vertical"), bundle.classNames());
        assertEquals(16, bundle.inputSize());
    }

    @Test
    void aFolderSavedFromJavaIsReadByTheCommandLine() throws Exception {
        Init.useBackend(ReferenceBackend.get());
        Init.seed(31);
        GraphModel g = OnnxModel.load(TINY_ONNX.resolve("model.onnx"));
        g.replaceHead(2);
        Path folder = dir.resolve("from-java");
        ModelBundle.save(g, folder, List.of("horizontal", "vertical"), 16, Map.of());
        Path data = stripes(dir, "eval", "horizontal", "vertical");
        CliTest.Run e = CliTest.run("evaluate", "--model", folder.toString(), "--data", data.toString(), "--json",
                "--backend", "reference");
        assertEquals(0, e.code(), e.err());
        Path npy = dir.resolve("x.npy");
        Tensor x = Tensor.uniform(ReferenceBackend.get(), 4, 0f, 1f, 2, 3, 16, 16);
        dev.fineturn.models.numpy.NpyWriter.write(npy, x.shape(), x.toArray());
        CliTest.Run p = CliTest.run("predict", "--model", folder.toString(), "--input", npy.toString(), "--output",
                dir.resolve("y.npy").toString(), "--quiet", "--backend", "reference");
        assertEquals(0, p.code(), p.err());
        g.eval();
        try (var noGrad = GradMode.noGrad()) {
            assertArrayEquals(g.forward(x).toArray(),
                    dev.fineturn.models.numpy.NpyReader.read(dir.resolve("y.npy")).data(), 1e-6f);
        }
    }

    @Test
    void evaluateAndTestDataRefuseOtherClassesAndEvaluateUsesTheRecordedSize() throws Exception {
        Path data = stripes(dir, "train", "horizontal", "vertical");
        Path other = stripes(dir, "other", "horizontal", "vertical-ish");
        Path out = dir.resolve("run");
        CliTest.Run refused = CliTest.run("finetune", "--model", "bundled:mobilenet_v2", "--cut", "block_1_expand_relu",
                "--data", data.toString(), "--test-data", other.toString(), "--strategy", "features", "--size", "32",
                "--no-augment", "--out", out.toString(), "--quiet");
        assertEquals(1, refused.code());
        assertEquals(1, refused.err().strip().lines().count(), refused.err());
        assertTrue(refused.err().contains("--test-data " + other + " has classes [horizontal, vertical-ish], but the "
                + "training data has [horizontal, vertical]"), refused.err());
        assertFalse(Files.exists(out.resolve("metrics.jsonl")), "refused before training");

        CliTest.Run r = CliTest.run("finetune", "--model", "bundled:mobilenet_v2", "--cut", "block_1_expand_relu",
                "--data", data.toString(), "--strategy", "features", "--size", "32", "--no-augment", "--out",
                out.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        Path model = out.resolve("model");
        JsonNode arch = new ObjectMapper().readTree(model.resolve("architecture.json").toFile());
        assertEquals("NHWC", arch.get("inputLayout").asText(), "a TF.js model takes NHWC batches");
        assertEquals(32, arch.get("inputSize").asInt());

        CliTest.Run wrong = CliTest.run("evaluate", "--model", model.toString(), "--data", other.toString());
        assertEquals(1, wrong.code());
        assertEquals(1, wrong.err().strip().lines().count(), wrong.err());
        assertTrue(wrong.err().contains("has classes [horizontal, vertical-ish], but the model has [horizontal, "
                + "vertical]"), wrong.err());

        double recorded = loss(CliTest.run("evaluate", "--model", model.toString(), "--data", data.toString(),
                "--json"));
        double at32 = loss(CliTest.run("evaluate", "--model", model.toString(), "--data", data.toString(), "--json",
                "--size", "32"));
        double at24 = loss(CliTest.run("evaluate", "--model", model.toString(), "--data", data.toString(), "--json",
                "--size", "24"));
        assertEquals(at32, recorded, 0.0, "without --size the recorded 32 is used");
        assertTrue(Math.abs(at24 - at32) > 1e-6, "--size still overrides: " + at24 + " vs " + at32);
    }

    private static double loss(CliTest.Run r) throws Exception {
        assertEquals(0, r.code(), r.err());
        return new ObjectMapper().readTree(r.out()).get("loss").asDouble();
    }
}
