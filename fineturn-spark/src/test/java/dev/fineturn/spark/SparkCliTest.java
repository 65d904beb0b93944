package dev.fineturn.spark;

import dev.fineturn.backend.Backends;
import dev.fineturn.cli.Main;
import dev.fineturn.cli.ModelFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fineturn.data.Datasets;
import dev.fineturn.data.ImageFolderDataset;
import dev.fineturn.data.Subset;
import dev.fineturn.train.Evaluation;
import dev.fineturn.train.FeatureCache;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.fineturn.data.Layouts;
import dev.fineturn.data.Sample;
import dev.fineturn.io.NamedTensor;
import dev.fineturn.models.bundle.ModelBundle;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.nn.Classifier;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
        // The head's cross-validation has a test of its own; a fixed C keeps this one short.
        spark.conf().set(CliJobs.HEAD_C, "1.0");
        JsonNode tuned;
        try {
            tuned = new ObjectMapper().readTree(stdout("finetune", "--spark", "local[2]", "--model",
                    "bundled:mobilenet_v2", "--cut", TestModels.CUT, "--data", images.toString(), "--size", size,
                    "--strategy", "partial:3", "--epochs", "2", "--patience", "1", "--batch-size", "4", "--seed", "3",
                    "--lr", "0.001", "--schedule", "step:2:0.5", "--out", out.toString(), "--json", "--quiet"));
        } finally {
            spark.conf().unset(CliJobs.HEAD_C);
        }
        assertTrue(Files.isRegularFile(out.resolve("model").resolve(ModelFiles.ARCHITECTURE)));
        assertTrue(Files.isRegularFile(out.resolve("checkpoints").resolve("epoch-0000.model.safetensors")));
        ImageFolderDataset all = ImageFolderDataset.open(images, TestModels.SIZE, TestModels.SIZE);
        // The local finetune's split (its default fraction 0.2 and the seed) holds out the validation images.
        Subset held = Datasets.split(all, 0.2, 3).validation();
        assertEquals(held.size(), tuned.path("validation_images").asInt(), tuned.toString());
        assertEquals(all.size() - held.size(), tuned.path("train_images").asInt());
        int tunedEpochs = tuned.path("epochs").asInt();
        int kept = tuned.path("weights_from_epoch").asInt();
        assertTrue(tunedEpochs >= 1 && tunedEpochs <= 2 && kept >= 0 && kept <= tunedEpochs
                && kept == tuned.path("best_epoch").asInt(), "the best epoch (0: the MLlib start) is kept: " + tuned);
        assertTrue(tunedEpochs == 2 || tuned.path("stopped_early").asBoolean(), tuned.toString());
        long lastStep = (long) tunedEpochs * tuned.path("steps_per_epoch").asInt() - 1;
        assertEquals(0.001 * Math.pow(0.5, lastStep / 2), tuned.path("last_lr").asDouble(), 1e-15,
                "--schedule step:2:0.5 halves the rate every 2 steps: " + tuned);
        var model = ModelFiles.open(out.resolve("model").toString(), Backends.get("cpu")).model();
        var keptWeights = ModelFiles.open(out.resolve("start-model").toString(), Backends.get("cpu")).model();
        if (kept > 0) {
            Map<String, Tensor> epochWeights = new LinkedHashMap<>();
            for (NamedTensor t : BackboneBroadcast.readSafetensors(Files.readAllBytes(out.resolve("checkpoints")
                    .resolve(String.format("epoch-%04d.model.safetensors", kept - 1))))) {
                epochWeights.put(t.name(), t.toTensor(Backends.get("cpu")));
            }
            keptWeights.loadStateDict(epochWeights, true);
        }
        var onHeld = Evaluation.evaluate(keptWeights, held, 4, Backends.get("cpu"), null, 3);
        assertEquals(onHeld.top1(), tuned.path("accuracy").asDouble(), "the reported validation accuracy is the "
                + "kept epoch's on the held-out images");
        assertEquals(onHeld.loss(), tuned.path("loss").asDouble(), "and so is the loss");
        // The recipe's last step: the head refitted on all the images' features, the layers below as kept.
        JsonNode refit = tuned.path("head_refit");
        assertEquals(all.size(), refit.path("images").asInt(), tuned.toString());
        assertEquals(kept > 0 ? "fine-tuned" : "pretrained", refit.path("features").asText());
        assertEquals(1.0, refit.path("c").asDouble(), "the fixed C of the session");
        String head = model.headPath();
        Map<String, Tensor> refitted = model.stateDict();
        Map<String, Tensor> chosen = keptWeights.stateDict();
        assertEquals(chosen.keySet(), refitted.keySet());
        chosen.forEach((k, v) -> {
            if (!k.startsWith(head + ".")) {
                assertArrayEquals(v.toArray(), refitted.get(k).toArray(), "the kept epoch's " + k);
            }
        });
        assertTrue(!java.util.Arrays.equals(chosen.get(head + ".weight").toArray(), refitted.get(head + ".weight")
                .toArray()), "the head was refitted");
        double acc = Evaluation.evaluate(model, all, 16, Backends.get("cpu"), null, 3).top1();
        assertTrue(acc > 0.5, "the fine-tuned model folder classifies its images: " + acc);
        assertEquals(0, Main.run("predict", "--model", out.resolve("model").toString(), "--input",
                images.resolve("class1").toString(), "--quiet"));
        assertOnnxRuntimeAgrees(out.resolve("model"), ImageFolderDataset.open(images, TestModels.SIZE,
                TestModels.SIZE));
        Path mlp = dir.resolve("mlp");
        JsonNode summary = new ObjectMapper().readTree(stdout("finetune", "--spark", "local[2]", "--model",
                "bundled:mobilenet_v2", "--cut", TestModels.CUT, "--data", images.toString(), "--size", size,
                "--strategy", "features", "--head", "mlp:8", "--epochs", "3", "--patience", "1", "--batch-size", "4",
                "--seed", "3", "--out", mlp.toString(), "--json", "--quiet"));
        var arch = new ObjectMapper().readTree(mlp.resolve("model").resolve(ModelFiles.ARCHITECTURE).toFile());
        assertEquals(8, arch.path("headHidden").asInt(), "the folder records the MLP head");
        assertEquals(held.size(), summary.path("validation_rows").asInt(), summary.toString());
        assertEquals(all.size() - held.size(), summary.path("train_rows").asInt());
        int best = summary.path("best_epoch").asInt();
        int epochs = summary.path("epochs").asInt();
        assertTrue(best >= 1 && best <= epochs && epochs <= 3, summary.toString());
        assertTrue(epochs == 3 || summary.path("stopped_early").asBoolean(), "fewer epochs than asked only when "
                + "--patience 1 stopped the run: " + summary);
        var saved = ModelFiles.open(mlp.resolve("model").toString(), Backends.get("cpu")).model();
        var scored = Evaluation.evaluate(saved, held, 16, Backends.get("cpu"), null, 3);
        assertEquals(scored.top1(), summary.path("accuracy").asDouble(), "the reported validation accuracy is the "
                + "saved model's on the held-out images");
        // The saved model has the standardisation folded into its first layer, which rounds differently.
        assertEquals(scored.loss(), summary.path("loss").asDouble(), 1e-4);
        assertEquals(0, Main.run("predict", "--model", mlp.resolve("model").toString(), "--input",
                images.resolve("class2").toString(), "--quiet"));
        assertOnnxRuntimeAgrees(mlp.resolve("model"), ImageFolderDataset.open(images, TestModels.SIZE,
                TestModels.SIZE));
    }

    /** What the command prints on standard output. */
    private static String stdout(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, Main.run(args));
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8).trim();
    }

    /** ONNX Runtime on the folder's model.onnx gives fineturn's logits for a few images. */
    private static void assertOnnxRuntimeAgrees(Path folder, ImageFolderDataset data) throws Exception {
        Path onnx = folder.resolve(ModelBundle.ONNX);
        assertTrue(Files.isRegularFile(onnx), "finetune --spark writes " + onnx);
        ModelFiles.Loaded loaded = ModelFiles.open(folder.toString(), Backends.get("cpu"));
        Classifier model = loaded.model();
        int n = 4;
        Sample first = data.get(0);
        int c = first.channels();
        int side = TestModels.SIZE;
        float[] x = new float[n * first.pixels().length];
        for (int i = 0; i < n; i++) {
            System.arraycopy(data.get(i * data.size() / n).pixels(), 0, x, i * first.pixels().length,
                    first.pixels().length);
        }
        float[] expected;
        float[] fed;
        try (var g = GradMode.noGrad()) {
            Tensor images = Tensor.of(Backends.get("cpu"), x, n, c, side, side);
            expected = model.forward(images).toArray();
            fed = model.preprocessing().apply(images).toArray();
        }
        long[] shape = {n, c, side, side};
        if (loaded.layout() == GraphModel.Layout.NHWC) {
            fed = Layouts.nchwToNhwc(fed, n, c, side, side);
            shape = new long[]{n, side, side, c};
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] got;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(Files.readAllBytes(onnx), options);
                 OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(fed), shape);
                 OrtSession.Result r = session.run(Map.of(session.getInputNames().iterator().next(), in))) {
                float[][] out = (float[][]) r.get(0).getValue();
                got = new float[out.length * out[0].length];
                for (int i = 0; i < out.length; i++) {
                    System.arraycopy(out[i], 0, got, i * out[0].length, out[0].length);
                }
            }
        }
        assertEquals(expected.length, got.length);
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], 1e-4 * scale + 1e-5, "logit " + i + " of ONNX Runtime vs fineturn");
        }
    }
}
