package dev.fineturn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code fineturn sweep} and {@code finetune --folds} end to end on a tiny generated data set. */
class SweepCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** 28x28 grey images of two classes: a bright left half or a bright right half, with noise. */
    private Path csv(String name, int n, long seed) throws IOException {
        Random r = new Random(seed);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int label = i % 2;
            StringBuilder b = new StringBuilder().append(label);
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    boolean lit = (x < 14) == (label == 0);
                    double v = (lit ? 0.7 : 0.2) + 0.2 * r.nextGaussian();
                    b.append(',').append(String.format(java.util.Locale.ROOT, "%.3f", v));
                }
            }
            lines.add(b.toString());
        }
        Path f = dir.resolve(name);
        Files.write(f, lines);
        return f;
    }

    private static List<JsonNode> jsonLines(Path f) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(f)) {
            out.add(JSON.readTree(l));
        }
        return out;
    }

    @Test
    void sweepRanksTwoStrategiesAndTheBaselinesOnTheSameFolds() throws Exception {
        Path data = csv("train.csv", 32, 1);
        Path test = csv("test.csv", 16, 2);
        Path out = dir.resolve("sweep");
        CliTest.Run r = CliTest.run("sweep", "--model", "lenet", "--data", data.toString(), "--test-data",
                test.toString(), "--grid", "strategy=features,full", "--grid", "epochs=2", "--grid", "batch=8",
                "--folds", "2", "--size", "28", "--out", out.toString(), "--backend", "cpu", "--quiet");
        assertEquals(0, r.code(), r.err());
        for (String s : new String[]{"features epochs=2 batch=8", "full epochs=2 batch=8", "scratch (baseline)",
                "pixels (baseline)", "95% CI", "best", "winner: ", "test accuracy of "}) {
            assertTrue(r.out().contains(s), "output lacks " + s + ":\n" + r.out());
        }
        List<JsonNode> folds = jsonLines(out.resolve("folds.jsonl"));
        assertEquals(4 * 2, folds.size(), "2 strategies and 2 baselines, 2 folds each");
        for (JsonNode f : folds) {
            assertTrue(f.has("config") && f.has("fold") && f.has("accuracy") && f.has("loss") && f.has("epochs")
                    && f.has("seconds"), f.toString());
            double acc = f.get("accuracy").asDouble();
            assertTrue(acc >= 0 && acc <= 1, f.toString());
        }
        List<JsonNode> sweep = jsonLines(out.resolve("sweep.jsonl"));
        assertEquals(4, sweep.size());
        sweep.sort(Comparator.comparingInt(n -> n.get("rank").asInt()));
        for (int i = 0; i < sweep.size(); i++) {
            JsonNode n = sweep.get(i);
            assertEquals(i + 1, n.get("rank").asInt());
            assertEquals(i == 0, n.get("best").asBoolean());
            assertEquals(2, n.get("folds").asInt());
            double mean = n.get("mean").asDouble();
            double sum = 0;
            for (JsonNode s : n.get("scores")) {
                sum += s.asDouble();
            }
            assertEquals(sum / 2, mean, 1e-12);
            assertTrue(n.get("ci_low").asDouble() <= mean && mean <= n.get("ci_high").asDouble(), n.toString());
            if (i > 0) {
                assertTrue(mean <= sweep.get(i - 1).get("mean").asDouble(), "ranked by mean: " + sweep);
            }
        }
        assertTrue(sweep.stream().anyMatch(n -> n.get("config").asText().equals("pixels (baseline)")
                && n.get("baseline").asBoolean()));
        String html = Files.readString(out.resolve("index.html"));
        assertTrue(html.contains("folds.png") && html.contains("full epochs=2 batch=8") && html.contains("winner: "),
                html);
        assertTrue(ImageIO.read(out.resolve("folds.png").toFile()).getWidth() >= 760);
        assertTrue(Files.exists(out.resolve("model/model.safetensors")));
        assertTrue(Files.exists(out.resolve("model/architecture.json")));
        CliTest.Run e = CliTest.run("evaluate", "--model", out.resolve("model").toString(), "--data", test.toString(),
                "--size", "28", "--json", "--backend", "cpu");
        assertEquals(0, e.code(), e.err());
    }

    @Test
    void finetuneFoldsWritesTheSameReport() throws Exception {
        Path data = csv("train.csv", 24, 3);
        Path out = dir.resolve("cv");
        CliTest.Run r = CliTest.run("finetune", "--model", "lenet", "--data", data.toString(), "--strategy", "head",
                "--epochs", "1", "--batch-size", "8", "--folds", "3", "--size", "28", "--out", out.toString(),
                "--backend", "cpu", "--quiet");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("3-fold cross-validation (head_only)") && r.out().contains("95% CI"), r.out());
        assertEquals(3, Files.readAllLines(out.resolve("folds.jsonl")).size());
        List<JsonNode> sweep = jsonLines(out.resolve("sweep.jsonl"));
        assertEquals(1, sweep.size());
        assertEquals("head_only", sweep.get(0).get("config").asText());
        assertEquals(1, sweep.get(0).get("rank").asInt());
        assertTrue(Files.size(out.resolve("folds.png")) > 100);
        assertTrue(Files.readString(out.resolve("index.html")).contains("folds.png"));
    }

    @Test
    void gridAndOutputFolderErrorsAreOneLine() throws Exception {
        Path data = csv("train.csv", 8, 4);
        CliTest.Run axis = CliTest.run("sweep", "--model", "lenet", "--data", data.toString(), "--grid",
                "strategy=head", "--grid", "momentum=0.9", "--folds", "2", "--out", dir.resolve("a").toString());
        assertEquals(1, axis.code());
        assertEquals(1, axis.err().strip().lines().count(), axis.err());
        assertTrue(axis.err().contains("momentum") && axis.err().contains("strategy, lr, epochs, batch"), axis.err());

        Path busy = dir.resolve("busy");
        Files.createDirectories(busy);
        Files.writeString(busy.resolve("notes.txt"), "keep me");
        CliTest.Run full = CliTest.run("sweep", "--model", "lenet", "--data", data.toString(), "--grid",
                "strategy=head", "--folds", "2", "--out", busy.toString());
        assertEquals(1, full.code());
        assertEquals(1, full.err().strip().lines().count(), full.err());
        assertTrue(full.err().contains("--force") && full.err().contains("not empty"), full.err());
        assertFalse(Files.exists(busy.resolve("sweep.jsonl")));

        CliTest.Run lr = CliTest.run("sweep", "--model", "lenet", "--data", data.toString(), "--grid",
                "strategy=head", "--grid", "lr=fast", "--out", dir.resolve("b").toString());
        assertEquals(1, lr.code());
        assertTrue(lr.err().contains("lr=fast"), lr.err());
    }

    @Test
    void gridIsTheCartesianProduct() {
        List<SweepCommand.Config> c = SweepCommand.configurations(List.of("strategy=head,partial:1",
                "lr=1e-4,3e-4", "batch=16"), 5, 32);
        assertEquals(4, c.size());
        assertEquals("head_only lr=1e-4 batch=16", c.get(0).name());
        assertEquals("partial:1 lr=3e-4 batch=16", c.get(3).name());
        assertEquals(3e-4, c.get(3).lr());
        assertEquals(5, c.get(3).epochs());
        assertEquals(16, c.get(3).batch());
    }
}
