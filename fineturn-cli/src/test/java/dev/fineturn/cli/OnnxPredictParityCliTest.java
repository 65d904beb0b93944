package dev.fineturn.cli;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.fineturn.data.Layouts;
import dev.fineturn.data.Preprocessing;
import dev.fineturn.models.numpy.NpyReader;
import dev.fineturn.models.numpy.NpyWriter;
import dev.fineturn.tensor.Tensor;
import dev.fineturn.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model.onnx that {@code finetune} writes, run in ONNX Runtime, gives the logits that
 * {@code fineturn predict} gives on the same .npy batch, laid out as the folder records: NCHW for
 * an architecture, NHWC for a TF.js model.
 */
class OnnxPredictParityCliTest {
    @TempDir
    Path dir;

    @Test
    void anArchitectureFolder() throws Exception {
        Path data = RecipeCliTest.csv(dir, 45);
        Path out = dir.resolve("lenet");
        CliTest.Run r = CliTest.run("finetune", "--model", "lenet", "--data", data.toString(), "--strategy",
                "features", "--preprocess", "mean=0.3,std=0.2", "--size", "28", "--out", out.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        assertParity(out.resolve("model"), new int[]{3, 1, 28, 28});
    }

    @Test
    void aTfjsFolderTakesNhwcBatches() throws Exception {
        Path data = ModelFolderCliTest.stripes(dir, "stripes", "horizontal", "vertical");
        Path out = dir.resolve("mobilenet");
        CliTest.Run r = CliTest.run("finetune", "--model", "bundled:mobilenet_v2", "--cut", "block_2_add", "--data",
                data.toString(), "--strategy", "features", "--size", "32", "--no-augment", "--out", out.toString(),
                "--quiet");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.readString(out.resolve("model/architecture.json")).contains("\"inputLayout\" : \"NHWC\""));
        assertParity(out.resolve("model"), new int[]{3, 3, 32, 32});
    }

    /**
     * Runs predict on a random NCHW batch of {@code shape} laid out as the folder records, and ONNX
     * Runtime on the same batch after the preprocessing the folder records.
     */
    private void assertParity(Path model, int[] nchw) throws Exception {
        var arch = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                model.resolve("architecture.json").toFile());
        boolean nhwc = arch.get("inputLayout").asText().equals("NHWC");
        int n = nchw[0];
        int c = nchw[1];
        int h = nchw[2];
        int w = nchw[3];
        Tensor batch = Tensor.uniform(ReferenceBackend.get(), 8, 0f, 1f, nchw);
        float[] x = batch.toArray();
        float[] fed = Preprocessing.parse(arch.get("preprocess").asText()).apply(batch).toArray();
        int[] s = nchw;
        if (nhwc) {
            x = Layouts.nchwToNhwc(x, n, c, h, w);
            fed = Layouts.nchwToNhwc(fed, n, c, h, w);
            s = new int[]{n, h, w, c};
        }
        long[] shape = {s[0], s[1], s[2], s[3]};
        Path in = dir.resolve("x.npy");
        Path y = dir.resolve("y.npy");
        NpyWriter.write(in, s, x);
        CliTest.Run p = CliTest.run("predict", "--model", model.toString(), "--input", in.toString(), "--output",
                y.toString(), "--quiet", "--backend", "reference");
        assertEquals(0, p.code(), p.err());
        float[] expected = NpyReader.read(y).data();
        float[] actual;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model.resolve("model.onnx").toString(),
                new OrtSession.SessionOptions());
             var t = ai.onnxruntime.OnnxTensor.createTensor(env, FloatBuffer.wrap(fed), shape);
             OrtSession.Result r = session.run(Map.of(session.getInputNames().iterator().next(), t))) {
            float[][] out = (float[][]) r.get(0).getValue();
            actual = new float[out.length * out[0].length];
            for (int i = 0; i < out.length; i++) {
                System.arraycopy(out[i], 0, actual, i * out[0].length, out[0].length);
            }
        }
        assertEquals(expected.length, actual.length);
        double maxAbs = 0;
        double maxErr = 0;
        for (int i = 0; i < expected.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
            maxErr = Math.max(maxErr, Math.abs(expected[i] - actual[i]));
        }
        System.out.printf("predict vs ONNX Runtime on %s: max |error| %.3g, max |logit| %.3g%n", model, maxErr, maxAbs);
        assertTrue(maxErr <= 1e-4 * maxAbs, "max error " + maxErr + " over 1e-4 x " + maxAbs);
    }
}
