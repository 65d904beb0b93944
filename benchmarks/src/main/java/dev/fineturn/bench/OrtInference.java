package dev.fineturn.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.onnx.OnnxExport;
import dev.fineturn.nn.Classifier;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;

import java.nio.FloatBuffer;
import java.util.Map;

/**
 * ONNX Runtime's CPU session on fineturn's ONNX export of a model ({@link OnnxExport}, which writes a model
 * folder's model.onnx): {@code threads} intra-op threads, one inter-op thread, sequential execution, every
 * graph optimisation. The input batch is handed to the runtime once; {@link #run} runs the session on it.
 */
final class OrtInference implements AutoCloseable {
    /** Largest |ORT - fineturn| accepted, relative to the largest |logit|: both run the same weights. */
    static final double TOLERANCE = 1e-3;

    private final OrtSession.SessionOptions options;
    private final OrtSession session;
    private final OnnxTensor input;
    private final Map<String, OnnxTensor> feed;

    OrtInference(Classifier net, Tensor x, int threads) throws OrtException {
        int[] s = x.shape();
        byte[] onnx = OnnxExport.toProto(net, s[2], s[3], GraphModel.Layout.NCHW).toByteArray();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        session = env.createSession(onnx, options);
        input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.toArray()), new long[]{s[0], s[1], s[2], s[3]});
        feed = Map.of(session.getInputNames().iterator().next(), input);
    }

    /** The runtime's version, e.g. "1.23.2". */
    static String version() {
        return OrtEnvironment.getEnvironment().getVersion();
    }

    /** One run of the session on the batch; the output is released at once. */
    void run() {
        try (OrtSession.Result r = session.run(feed)) {
            r.get(0);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime run failed: " + e.getMessage(), e);
        }
    }

    /** The session's logits for the batch, flat. */
    float[] logits() throws OrtException {
        try (OrtSession.Result r = session.run(feed)) {
            FloatBuffer b = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] out = new float[b.remaining()];
            b.get(out);
            return out;
        }
    }

    /**
     * Fails unless the session gives {@code net}'s logits for {@code x} within {@link #TOLERANCE}, so a figure
     * of the session is one of the same model.
     */
    void checkAgainst(Classifier net, Tensor x, String what) throws OrtException {
        float[] expected;
        try (var g = GradMode.noGrad()) {
            expected = net.forward(x).toArray();
        }
        float[] got = logits();
        if (got.length != expected.length) {
            throw new IllegalStateException(what + ": ONNX Runtime gives " + got.length + " logits, fineturn "
                    + expected.length);
        }
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < got.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            worst = Math.max(worst, Math.abs(got[i] - expected[i]));
        }
        if (worst > TOLERANCE * Math.max(scale, 1e-6)) {
            throw new IllegalStateException(what + ": ONNX Runtime's logits differ from fineturn's by " + worst
                    + " (largest |logit| " + scale + ")");
        }
    }

    @Override
    public void close() throws OrtException {
        input.close();
        session.close();
        options.close();
    }
}
