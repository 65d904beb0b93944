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
}
