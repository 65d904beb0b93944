package dev.fineturn.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the command line in-process, as a user would, and checks outputs and error lines. */
class CliTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void sparkWithoutTheSparkModuleOnTheClassPathSaysWhatIsMissing() {
        Run r = run("features", "--spark", "local[2]", "--model", "bundled:mobilenet_v2", "--data",
                dir.toString(), "--out", dir.resolve("f.parquet").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--spark needs the fineturn-spark module and Spark 4.2"), r.err());
        Run f = run("finetune", "--spark", "local[2]", "--model", "lenet", "--data", dir.toString(), "--out",
                dir.resolve("run").toString());
        assertEquals(1, f.code());
        assertTrue(f.err().contains("--spark needs the fineturn-spark module"), f.err());
    }

    @Test
    void demoRunsEveryStrategyAndWritesTheReport() throws Exception {
        Path out = dir.resolve("demo");
        Run r = run("demo", "--epochs", "1", "--size", "32", "--out", out.toString(), "--backend", "cpu");
        assertEquals(0, r.code(), r.err());
        for (String s : new String[]{"linear probe on raw pixels", "scratch", "full fine-tune", "features", "head-only",
                "partial:", "advisor's pick"}) {
            assertTrue(r.out().contains(s), "table lacks " + s + ":\n" + r.out());
        }
        for (String f : new String[]{"metrics.jsonl", "loss.png", "accuracy.png", "confusion.png", "filters.png",
                "index.html"}) {
            assertTrue(Files.size(out.resolve(f)) > 100, f + " missing or empty");
        }
        assertTrue(ImageIO.read(out.resolve("filters.png").toFile()).getWidth() > 50);
        String html = Files.readString(out.resolve("index.html"));
        assertTrue(html.contains("accuracy.png") && html.contains("filters.png") && html.contains("advisor"), html);
        long testLines = Files.readAllLines(out.resolve("metrics.jsonl")).stream()
                .filter(l -> l.contains("\"type\":\"test\"")).count();
        assertEquals(7, testLines, "two baselines, four strategies and the advisor's pick");
    }

    @Test
    void finetuneSavesAModelThatEvaluateReloads() throws Exception {
        Path out = dir.resolve("ft");
        Run r = run("finetune", "--model", "bundled:mobilenet_v2", "--cut", "block_6_expand_relu", "--data",
                "demo:fashion-mnist", "--strategy", "features", "--epochs", "2", "--size", "32", "--out",
                out.toString(), "--json", "--quiet");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"accuracy\""), r.out());
        assertTrue(Files.exists(out.resolve("model/model.safetensors")));
        assertTrue(Files.exists(out.resolve("model/architecture.json")));
        assertTrue(Files.size(out.resolve("model/model.onnx")) > 1000, "the fine-tuned graph is exported to ONNX");
        Run e = run("evaluate", "--model", out.resolve("model").toString(), "--data", "demo:fashion-mnist:test",
                "--size", "32", "--json");
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("\"accuracy\""), e.out());
    }

    @Test
    void predictReproducesTheTfjsReferenceAndInspectShowsTheGraph() throws Exception {
        Path x = dir.resolve("x.npy");
        Files.copy(CliTest.class.getResourceAsStream("/fixtures/x.npy"), x);
        Path y = dir.resolve("y.npy");
        Run r = run("predict", "--model", "bundled:mobilenet_v2", "--input", x.toString(), "--output", y.toString(),
                "--backend", "cpu");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("softmax probabilities"), r.out());
        float[] actual = dev.fineturn.models.numpy.NpyReader.read(y).data();
        Path ref = dir.resolve("ref.npy");
        Files.copy(CliTest.class.getResourceAsStream("/fixtures/y.npy"), ref);
        float[] expected = dev.fineturn.models.numpy.NpyReader.read(ref).data();
        assertEquals(5, actual.length);
        for (int i = 0; i < 5; i++) {
            assertEquals(expected[i], actual[i], 1e-4, "class " + i);
        }
        Run wrong = run("predict", "--model", "bundled:mobilenet_v2", "--input", ref.toString(), "--output",
                dir.resolve("z.npy").toString());
        assertEquals(1, wrong.code());
        assertTrue(wrong.err().contains("does not fit the model") && wrong.err().contains("NHWC"), wrong.err());

        Path modelJson = dir.resolve("m/model.json");
        Files.createDirectories(modelJson.getParent());
        Files.copy(CliTest.class.getResourceAsStream("/dev/fineturn/models/pretrained/mobilenet_v2/model.json"),
                modelJson);
        Files.copy(CliTest.class.getResourceAsStream("/dev/fineturn/models/pretrained/mobilenet_v2/weights.bin"),
                modelJson.resolveSibling("weights.bin"));
        Run inspect = run("inspect", modelJson.toString());
        assertEquals(0, inspect.code(), inspect.err());
        assertTrue(inspect.out().contains("TensorFlow.js") && inspect.out().contains("2,585,349")
                && inspect.out().contains("layer graph") && inspect.out().contains("block_16_project"), inspect.out());
    }

    @Test
    void errorsAreOneLineWithANonZeroExit() throws Exception {
        Run missing = run("evaluate", "--model", dir.resolve("nope").toString(), "--data", "demo:fashion-mnist");
        assertEquals(1, missing.code());
        assertTrue(missing.err().startsWith("fineturn: ") && missing.err().strip().lines().count() == 1, missing.err());
        assertTrue(missing.err().contains("nope"), missing.err());

        Run typo = run("finetune", "--model", "lenet", "--dta", "demo:fashion-mnist", "--out", dir.toString());
        assertEquals(2, typo.code());
        assertEquals("fineturn finetune: unknown option --dta (see fineturn finetune --help)", typo.err().strip());
        Run absent = run("evaluate", "--model", "lenet");
        assertEquals(2, absent.code());
        assertEquals(1, absent.err().strip().lines().count(), absent.err());
        assertTrue(absent.err().contains("--data"), absent.err());

        Run arch = run("finetune", "--model", "resnet99", "--data", "demo:fashion-mnist", "--out", dir.toString());
        assertEquals(1, arch.code());
        assertTrue(arch.err().contains("resnet99") && arch.err().contains("resnet18"), arch.err());

        Path oneClass = dir.resolve("one/cat");
        Files.createDirectories(oneClass);
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        ImageIO.write(img, "png", oneClass.resolve("a.png").toFile());
        Run single = run("finetune", "--model", "bundled:mobilenet_v2", "--data", dir.resolve("one").toString(),
                "--strategy", "head", "--out", dir.resolve("o").toString());
        assertEquals(1, single.code());
        assertTrue(single.err().contains("class"), single.err());

        Path corrupt = dir.resolve("bad/model.json");
        Files.createDirectories(corrupt.getParent());
        Files.writeString(corrupt, "{\"modelTopology\": [");
        Run bad = run("evaluate", "--model", corrupt.toString(), "--data", "demo:fashion-mnist");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("model.json") && bad.err().contains("malformed JSON"), bad.err());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());

        Run verbose = run("evaluate", "--model", corrupt.toString(), "--data", "demo:fashion-mnist", "--verbose");
        assertTrue(verbose.err().contains("\tat "), "--verbose shows the stack trace");
    }

    @Test
    void aCorruptImageIsNamedBeforeTrainingOrSkippedWithACount(@TempDir Path dir) throws Exception {
        java.util.Random r = new java.util.Random(3);
        for (String c : new String[]{"dark", "light"}) {
            Path folder = dir.resolve("photos").resolve(c);
            Files.createDirectories(folder);
            for (int i = 0; i < 12; i++) {
                BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 16; y++) {
                    for (int x = 0; x < 16; x++) {
                        int v = (c.equals("dark") ? 40 : 200) + r.nextInt(30);
                        img.setRGB(x, y, v << 16 | v << 8 | v);
                    }
                }
                ImageIO.write(img, "png", folder.resolve(i + ".png").toFile());
            }
        }
        Path broken = dir.resolve("photos/light/broken.jpg");
        Files.write(broken, new byte[]{(byte) 0xFF, (byte) 0xD8, 1, 2, 3});
        String[] args = {"finetune", "--model", "lenet", "--data", dir.resolve("photos").toString(), "--strategy",
            "features", "--size", "28", "--out", dir.resolve("out").toString()};
        Run refused = run(args);
        assertEquals(1, refused.code());
        assertEquals(1, refused.err().strip().lines().count(), refused.err());
        assertTrue(refused.err().contains("broken.jpg") && refused.err().contains("1 unreadable image")
                && refused.err().contains("--skip-bad-images"), refused.err());
        assertFalse(refused.err().contains("Exception"), refused.err());
        assertFalse(Files.exists(dir.resolve("out")), "nothing was written");

        String[] skipping = java.util.Arrays.copyOf(args, args.length + 2);
        skipping[args.length] = "--skip-bad-images";
        skipping[args.length + 1] = "--quiet";
        Run skipped = run(skipping);
        assertEquals(0, skipped.code(), skipped.err());
        assertTrue(skipped.err().contains("skipped 1 unreadable image of 25") && skipped.err().contains("broken.jpg"),
                skipped.err());
    }
}
