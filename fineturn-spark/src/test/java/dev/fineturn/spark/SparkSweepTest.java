package dev.fineturn.spark;

import dev.fineturn.data.InMemoryDataset;
import dev.fineturn.train.linear.LinearProbe;
import dev.fineturn.train.linear.LinearProbeResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SparkSweepTest extends SparkTestSession {
    @TempDir
    Path dir;

    @Test
    void configurationsTimesFoldsOnTheClusterMatchTheLocalProbesCrossValidation() throws Exception {
        int classes = 4;
        Path images = TestImages.write(dir.resolve("train"), false, classes, 30);
        TestModels.Cut m = TestModels.mobilenetCut(classes);
        String table = dir.resolve("features.parquet").toString();
        new SparkFeatureExtractor(spark, m.model(), m.recipe(), TestModels.SIZE)
                .extract(SparkFeatureExtractor.imageFolder(spark, images.toString()), table);
        double[] grid = {1e-3, 1e-1, 10};
        SparkSweep.Result sweep = new SparkSweep(spark).linearHeads(table, grid, 3, 0);
        assertEquals(9, sweep.tasks());

        InMemoryDataset f = FeatureTables.collect(spark, table).data();
        LinearProbeResult local = new LinearProbe().withGrid(grid).withFolds(3).fit(SparkHeadTrainerTest.flat(f),
                f.sampleShape()[0], SparkHeadTrainerTest.labels(f), classes);
        for (SparkSweep.Row r : sweep.rows()) {
            assertEquals(local.cvAccuracy().get(r.c()), r.mean(), 0.02, "cross-validated accuracy at C " + r.c());
        }
        double atLocalChoice = sweep.rows().stream().filter(r -> r.c() == local.c()).findFirst().orElseThrow().mean();
        double best = sweep.rows().stream().filter(r -> r.c() == sweep.bestC()).findFirst().orElseThrow().mean();
        assertEquals(best, atLocalChoice, 0.02, "the local choice C " + local.c() + " scores as the sweep's "
                + sweep.bestC());
        assertTrue(best > 0.5, "pretrained features beat chance: " + best);
    }

    /**
     * {@code fineturn sweep --spark} against the local {@code fineturn sweep} on the same images: the
     * same folds, and for every configuration whose start does not draw from the global
     * initialisation generator (features, partial with the probe-initialised head) and for the pixel
     * baseline, the same accuracy and loss in every fold; the scratch baseline (whose random start
     * depends on the draws before it) is scored on every fold; both refit the same winner.
     */
    @Test
    void theSweepCommandOnSparkScoresEveryFoldAsTheLocalSweep() throws Exception {
        Path images = TestImages.write(dir.resolve("sweep-images"), false, 3, 8);
        Path test = TestImages.write(dir.resolve("sweep-test"), true, 3, 4);
        java.util.function.Function<String, String[]> args = out -> new String[]{"sweep", "--model",
                "bundled:mobilenet_v2", "--cut", TestModels.CUT, "--size", Integer.toString(TestModels.SIZE),
                "--data", images.toString(), "--test-data", test.toString(), "--grid", "strategy=features,partial:3",
                "--epochs", "2", "--batch-size", "4", "--folds", "3", "--seed", "2", "--out", out, "--quiet"};
        Path local = dir.resolve("local-sweep");
        Path onSpark = dir.resolve("spark-sweep");
        assertEquals(0, dev.fineturn.cli.Main.run(args.apply(local.toString())));
        String[] withSpark = java.util.stream.Stream.concat(java.util.Arrays.stream(args.apply(onSpark.toString())),
                java.util.stream.Stream.of("--spark", "local[2]")).toArray(String[]::new);
        assertEquals(0, dev.fineturn.cli.Main.run(withSpark));

        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> want = new java.util.TreeMap<>();
        for (String line : java.nio.file.Files.readAllLines(local.resolve("folds.jsonl"))) {
            var n = json.readTree(line);
            want.put(n.path("config").asText() + " #" + n.path("fold").asInt(), n);
        }
        java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> got = new java.util.TreeMap<>();
        for (String line : java.nio.file.Files.readAllLines(onSpark.resolve("folds.jsonl"))) {
            var n = json.readTree(line);
            got.put(n.path("config").asText() + " #" + n.path("fold").asInt(), n);
        }
        assertEquals(want.keySet(), got.keySet(), "every configuration and baseline, 3 folds each");
        assertEquals(4 * 3, got.size());
        for (String key : want.keySet()) {
            if (key.startsWith("scratch")) {
                assertTrue(got.get(key).path("accuracy").asDouble() >= 0, key);
                continue;
            }
            assertEquals(want.get(key).path("accuracy").asDouble(), got.get(key).path("accuracy").asDouble(), key);
            assertEquals(want.get(key).path("loss").asText(), got.get(key).path("loss").asText(), key);
        }
        java.util.function.Function<Path, String> winner = folder -> {
            try {
                for (String line : java.nio.file.Files.readAllLines(folder.resolve("sweep.jsonl"))) {
                    var n = json.readTree(line);
                    if (!n.path("baseline").asBoolean() && n.path("rank").asInt() == 1) {
                        return n.path("config").asText();
                    }
                }
                return "";
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        assertEquals(winner.apply(local), winner.apply(onSpark), "the same winner");
        var backend = dev.fineturn.backend.Backends.get("cpu");
        var localModel = dev.fineturn.cli.ModelFiles.open(local.resolve("model").toString(), backend).model();
        var sparkModel = dev.fineturn.cli.ModelFiles.open(onSpark.resolve("model").toString(), backend).model();
        var w = localModel.stateDict();
        var g = sparkModel.stateDict();
        assertEquals(w.keySet(), g.keySet());
        w.forEach((k, v) -> org.junit.jupiter.api.Assertions.assertArrayEquals(v.toArray(), g.get(k).toArray(),
                "the refit winner's " + k));
    }
}
