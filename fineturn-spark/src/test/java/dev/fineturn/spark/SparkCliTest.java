package dev.fineturn.spark;

import dev.fineturn.backend.Backends;
import dev.fineturn.cli.Main;
import dev.fineturn.cli.ModelFiles;
import dev.fineturn.data.ImageFolderDataset;
import dev.fineturn.train.Evaluation;
import dev.fineturn.train.FeatureCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code fineturn features --spark} and {@code fineturn finetune --spark} in the session of this class. */
class SparkCliTest extends SparkTestSession {
    @TempDir
    Path dir;

    @Test
    void featuresAndFinetuneRunOnSparkFromTheCommandLine() throws Exception {
        Path images = TestImages.write(dir.resolve("images"), false, 3, 12);
        String table = dir.resolve("features.parquet").toString();
        String size = Integer.toString(TestModels.SIZE);
        assertEquals(0, Main.run("features", "--spark", "local[2]", "--model", "bundled:mobilenet_v2", "--cut",
                TestModels.CUT, "--data", images.toString(), "--size", size, "--out", table, "--quiet"));
        TestModels.Cut m = TestModels.mobilenetCut(3);
        assertEquals(FeatureCache.key(m.model(), ImageFolderDataset.open(images, TestModels.SIZE, TestModels.SIZE),
                null), FeatureTables.key(spark, table), "the command's table has the local cache key");

        Path out = dir.resolve("run");
        assertEquals(0, Main.run("finetune", "--spark", "local[2]", "--model", "bundled:mobilenet_v2", "--cut",
                TestModels.CUT, "--data", images.toString(), "--size", size, "--strategy", "partial:3", "--epochs",
                "1", "--batch-size", "4", "--out", out.toString(), "--quiet"));
        assertTrue(Files.isRegularFile(out.resolve("model").resolve(ModelFiles.ARCHITECTURE)));
        assertTrue(Files.isRegularFile(out.resolve("checkpoints").resolve("epoch-0000.model.safetensors")));
        var model = ModelFiles.open(out.resolve("model").toString(), Backends.get("cpu")).model();
        double acc = Evaluation.evaluate(model, ImageFolderDataset.open(images, TestModels.SIZE, TestModels.SIZE), 16,
                Backends.get("cpu"), null, 3).top1();
        assertTrue(acc > 0.5, "the fine-tuned model folder classifies its training images: " + acc);
        assertEquals(0, Main.run("predict", "--model", out.resolve("model").toString(), "--input",
                images.resolve("class1").toString(), "--quiet"));
    }
}
