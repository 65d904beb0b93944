package dev.fineturn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fineturn.data.Preprocessing;
import dev.fineturn.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The transfer recipe from the command line: preprocessing that travels with the model, auto everywhere. */
class RecipeCliTest {
    @TempDir
    Path dir;

    static Path csv(Path dir, int n) throws Exception {
        StringBuilder b = new StringBuilder();
        java.util.SplittableRandom r = new java.util.SplittableRandom(4);
        for (int i = 0; i < n; i++) {
            int label = i % 3;
            b.append(label);
            for (int p = 0; p < 28 * 28; p++) {
                int row = p / 28;
                boolean on = label == 0 ? row < 9 : label == 1 ? row >= 19 : (p % 28) < 9;
                b.append(',').append(on ? 200 + r.nextInt(55) : r.nextInt(60));
            }
            b.append('\n');
        }
        Path f = dir.resolve("data.csv");
        Files.writeString(f, b);
        return f;
    }

    @Test
    void preprocessingIsRecordedInTheModelFolderAndAppliedWhenItIsReloaded() throws Exception {
        Path data = csv(dir, 60);
        Path out = dir.resolve("run");
        CliTest.Run r = CliTest.run("finetune", "--model", "lenet", "--data", data.toString(), "--strategy",
                "features", "--preprocess", "mean=0.3,std=0.2", "--size", "28", "--out", out.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        JsonNode arch = new ObjectMapper().readTree(out.resolve("model/architecture.json").toFile());
        assertEquals(Preprocessing.parse("mean=0.3,std=0.2").spec(), arch.get("preprocess").asText());
        String html = Files.readString(out.resolve("index.html"));
        assertTrue(html.contains("validation accuracy") && !html.contains("test accuracy"), html);
        assertTrue(!html.contains("top-5"), "three classes: no top-5 column");

        ModelFiles.Loaded reloaded = ModelFiles.open(out.resolve("model").toString(), ReferenceBackend.get());
        assertEquals(Preprocessing.parse("mean=0.3,std=0.2"), reloaded.model().preprocessing());

        // The saved model scores its own training data the same way whether or not the user repeats the flag:
        // the folder's convention is applied; a different one changes the result.
        CliTest.Run same = CliTest.run("evaluate", "--model", out.resolve("model").toString(), "--data",
                data.toString(), "--size", "28", "--json");
        CliTest.Run repeated = CliTest.run("evaluate", "--model", out.resolve("model").toString(), "--data",
                data.toString(), "--size", "28", "--json", "--preprocess", "mean=0.3,std=0.2");
        CliTest.Run other = CliTest.run("evaluate", "--model", out.resolve("model").toString(), "--data",
                data.toString(), "--size", "28", "--json", "--preprocess", "none");
        assertEquals(0, same.code(), same.err());
        double a = new ObjectMapper().readTree(same.out()).get("loss").asDouble();
        double b = new ObjectMapper().readTree(repeated.out()).get("loss").asDouble();
        double c = new ObjectMapper().readTree(other.out()).get("loss").asDouble();
        assertEquals(a, b, 0.0);
        assertTrue(Math.abs(a - c) > 1e-3, "a different preprocessing must change the scores: " + a + " vs " + c);
    }

    @Test
    void predictClassifiesImageFilesAtTheRecordedSize() throws Exception {
        Path data = csv(dir, 60);
        Path out = dir.resolve("run");
        CliTest.Run r = CliTest.run("finetune", "--model", "lenet", "--data", data.toString(), "--strategy",
                "features", "--size", "28", "--out", out.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        Path images = dir.resolve("images/sub");
        Files.createDirectories(images);
        // The first three training rows (labels 0, 1, 2) as 56x56 PNGs, each pixel doubled: resizing back to
        // the recorded 28x28 averages two equal pixels, so predict sees exactly the rows the model was fitted on.
        java.util.List<String> rows = Files.readAllLines(data);
        for (int label = 0; label < 3; label++) {
            String[] v = rows.get(label).split(",");
            assertEquals(Integer.toString(label), v[0]);
            java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(56, 56,
                    java.awt.image.BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 56; y++) {
                for (int x = 0; x < 56; x++) {
                    int g = Integer.parseInt(v[1 + (y / 2) * 28 + x / 2]);
                    img.setRGB(x, y, g << 16 | g << 8 | g);
                }
            }
            javax.imageio.ImageIO.write(img, "png", images.resolve("img" + label + ".png").toFile());
        }
        Files.writeString(dir.resolve("images/notes.txt"), "not an image");
        CliTest.Run p = CliTest.run("predict", "--model", out.resolve("model").toString(), "--input",
                dir.resolve("images").toString(), "--output", dir.resolve("p.npy").toString(), "--quiet");
        assertEquals(0, p.code(), p.err());
        java.util.List<String> lines = p.out().lines().filter(l -> l.contains(".png")).toList();
        assertEquals(3, lines.size(), p.out());
        for (int label = 0; label < 3; label++) {
            String[] cols = lines.get(label).split("\t");
            assertTrue(cols[0].endsWith("img" + label + ".png"), lines.toString());
            assertEquals(Integer.toString(label), cols[1], "image " + label + " classified as " + cols[1]);
        }
        float[] probs = dev.fineturn.models.numpy.NpyReader.read(dir.resolve("p.npy")).data();
        assertEquals(9, probs.length);
        assertEquals(1.0, probs[0] + probs[1] + probs[2], 1e-5);
        CliTest.Run missing = CliTest.run("predict", "--model", out.resolve("model").toString(), "--input",
                dir.resolve("nope").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("no such file"), missing.err());
    }

    @Test
    void autoFineTunesAnArchitectureWithWeightsOnAnImageFolder() throws Exception {
        dev.fineturn.nn.Init.useBackend(ReferenceBackend.get());
        dev.fineturn.nn.Init.seed(3);
        // torchvision-layout weights of a 10-class ResNet-18: the class count comes from fc.weight
        var resnet = dev.fineturn.models.arch.Architectures.create("resnet18", 10);
        Path weights = dir.resolve("resnet18.safetensors");
        java.util.List<dev.fineturn.io.NamedTensor> tensors = new java.util.ArrayList<>();
        resnet.stateDict().forEach((k, v) -> tensors.add(dev.fineturn.io.NamedTensor.of(k, v)));
        dev.fineturn.io.Safetensors.write(weights, tensors, java.util.Map.of());
        Path photos = dir.resolve("photos");
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        for (String cls : new String[]{"horizontal", "vertical"}) {
            Files.createDirectories(photos.resolve(cls));
            for (int i = 0; i < 24; i++) {
                java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(40, 40,
                        java.awt.image.BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 40; y++) {
                    for (int x = 0; x < 40; x++) {
                        boolean on = ((cls.equals("horizontal") ? y : x) / 5) % 2 == 0;
                        int v = Math.min(255, (on ? 200 : 40) + r.nextInt(40));
                        img.setRGB(x, y, v << 16 | (v / 2) << 8 | (255 - v));
                    }
                }
                javax.imageio.ImageIO.write(img, "png", photos.resolve(cls).resolve(i + ".png").toFile());
            }
        }
        Path out = dir.resolve("resnet-auto");
        CliTest.Run run = CliTest.run("finetune", "--model", "resnet18", "--weights", weights.toString(), "--data",
                photos.toString(), "--strategy", "auto", "--epochs", "1", "--size", "32", "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.err().contains("102 of 102 weights loaded (100.0%): 0 missing, 0 unexpected, 0 shape mismatched"),
                run.err());
        assertTrue(run.err().lines().noneMatch(l -> l.startsWith("loaded ")), "the full table only with --verbose");
        assertTrue(run.err().contains("advisor:") && run.err().contains("lr-find:"), run.err());
        assertTrue(run.err().contains("augmentation: random resized crop"), run.err());
        JsonNode arch = new ObjectMapper().readTree(out.resolve("model/architecture.json").toFile());
        assertEquals("imagenet", arch.get("preprocess").asText());
        assertEquals(2, arch.get("numClasses").asInt());
        assertEquals(32, arch.get("inputSize").asInt());
    }

    @Test
    void anMlpHeadIsSavedAndReloaded() throws Exception {
        Path data = csv(dir, 60);
        Path out = dir.resolve("mlp");
        CliTest.Run r = CliTest.run("finetune", "--model", "lenet", "--data", data.toString(), "--strategy",
                "features", "--head", "mlp:16", "--epochs", "30", "--size", "28", "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode arch = new ObjectMapper().readTree(out.resolve("model/architecture.json").toFile());
        assertEquals(16, arch.get("headHidden").asInt());
        CliTest.Run e = CliTest.run("evaluate", "--model", out.resolve("model").toString(), "--data",
                data.toString(), "--size", "28", "--json");
        assertEquals(0, e.code(), e.err());
        assertTrue(new ObjectMapper().readTree(e.out()).get("accuracy").asDouble() > 0.5, e.out());
        CliTest.Run bad = CliTest.run("finetune", "--model", "lenet", "--data", data.toString(), "--size", "28", "--head", "mlp:x",
                "--out", dir.resolve("bad").toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("expected mlp:H"), bad.err());
    }

    @Test
    void resumeSaysWhenThereIsNothingToResume() throws Exception {
        Path data = csv(dir, 60);
        Path out = dir.resolve("resume");
        CliTest.Run none = CliTest.run("finetune", "--model", "lenet", "--data", data.toString(), "--strategy", "full",
                "--epochs", "2", "--size", "28", "--out", out.toString(), "--resume");
        assertEquals(1, none.code());
        assertTrue(none.err().contains("no checkpoint in") && none.err().contains("without --resume"), none.err());
        CliTest.Run first = CliTest.run("finetune", "--model", "lenet", "--data", data.toString(), "--strategy",
                "full", "--epochs", "2", "--patience", "0", "--size", "28", "--out", out.toString(), "--quiet");
        assertEquals(0, first.code(), first.err());
        CliTest.Run finished = CliTest.run("finetune", "--model", "lenet", "--data", data.toString(), "--strategy",
                "full", "--epochs", "2", "--size", "28", "--out", out.toString(), "--resume");
        assertEquals(1, finished.code());
        assertTrue(finished.err().contains("already finished 2 of 2 epochs"), finished.err());
        CliTest.Run changed = CliTest.run("finetune", "--model", "lenet", "--data", data.toString(), "--strategy",
                "head", "--epochs", "3", "--batch-size", "16", "--size", "28", "--out", out.toString(), "--resume");
        assertEquals(1, changed.code());
        assertTrue(changed.err().contains("--strategy head (the run has full)")
                && changed.err().contains("--batch-size 16 (the run has 32)")
                && changed.err().contains("only --epochs may change"), changed.err());
        CliTest.Run more = CliTest.run("finetune", "--model", "lenet", "--data", data.toString(), "--strategy",
                "full", "--epochs", "3", "--patience", "0", "--size", "28", "--out", out.toString(), "--resume",
                "--quiet");
        assertEquals(0, more.code(), more.err());
        List<Integer> epochs = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            var n = new ObjectMapper().readTree(line);
            if (n.get("type").asText().equals("epoch")) {
                epochs.add(n.get("epoch").asInt());
            } else {
                assertEquals(3, n.get("epochs").asInt(), "the summary counts the epochs before the resume too");
            }
        }
        assertEquals(List.of(1, 2, 3), epochs, "the metrics keep the epochs before the resume");
    }

    @Test
    void aNonEmptyOutFolderIsRefusedUnlessForced() throws Exception {
        Path data = csv(dir, 60);
        Path mine = dir.resolve("mine");
        Files.createDirectories(mine);
        Files.writeString(mine.resolve("notes.txt"), "my notes");
        String[] args = {"finetune", "--model", "lenet", "--data", data.toString(), "--strategy", "features",
            "--size", "28", "--out", mine.toString(), "--quiet"};
        CliTest.Run refused = CliTest.run(args);
        assertEquals(1, refused.code());
        assertTrue(refused.err().contains("is not empty and is not a fineturn run"), refused.err());
        assertFalse(Files.exists(mine.resolve("metrics.jsonl")), "nothing was written");

        CliTest.Run forced = CliTest.run(append(args, "--force"));
        assertEquals(0, forced.code(), forced.err());
        assertEquals("my notes", Files.readString(mine.resolve("notes.txt")));

        CliTest.Run again = CliTest.run(args);
        assertEquals(1, again.code());
        assertTrue(again.err().contains("holds an earlier fineturn run") && again.err().contains("--resume"),
                again.err());
        Path stale = mine.resolve("checkpoints/ckpt-99999999");
        Files.createDirectories(stale);
        CliTest.Run replaced = CliTest.run(append(args, "--force"));
        assertEquals(0, replaced.code(), replaced.err());
        assertFalse(Files.exists(stale), "an earlier run's checkpoints are removed when it is replaced");
    }

    private static String[] append(String[] args, String more) {
        String[] out = java.util.Arrays.copyOf(args, args.length + 1);
        out[args.length] = more;
        return out;
    }

    @Test
    void architecturesExpectImagenetNormalisation() throws Exception {
        ModelFiles.Loaded resnet = ModelFiles.open("resnet18", ReferenceBackend.get());
        assertEquals(Preprocessing.IMAGENET, resnet.model().preprocessing());
        ModelFiles.Loaded lenet = ModelFiles.open("lenet", ReferenceBackend.get());
        assertEquals(Preprocessing.NONE, lenet.model().preprocessing());
    }

    @Test
    void autoWorksForAnArchitectureModel() throws Exception {
        Path data = csv(dir, 60);
        Path out = dir.resolve("auto");
        CliTest.Run r = CliTest.run("finetune", "--model", "lenet", "--data", data.toString(), "--strategy", "auto",
                "--epochs", "2", "--size", "28", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("advisor:"), r.err());
        assertTrue(r.err().contains("linear probe on features:"), r.err());
        assertTrue(r.out().contains("validation accuracy"), r.out());
        assertTrue(Files.exists(out.resolve("model/model.safetensors")));

        CliTest.Run advise = CliTest.run("advise", "--model", "lenet", "--model", "lenet", "--data", data.toString(),
                "--size", "28");
        assertEquals(0, advise.code(), advise.err());
        assertTrue(advise.out().contains("best backbone: lenet"), advise.out());
        assertTrue(advise.out().contains("ms/image"), advise.out());
    }
}
