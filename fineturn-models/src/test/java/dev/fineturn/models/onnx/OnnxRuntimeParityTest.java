package dev.fineturn.models.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.fineturn.data.Layouts;
import dev.fineturn.models.arch.Architectures;
import dev.fineturn.models.arch.ResNet;
import dev.fineturn.models.arch.Vgg;
import dev.fineturn.models.graph.ChannelsLastFlatten;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.graph.Merge;
import dev.fineturn.models.graph.OutputActivation;
import dev.fineturn.models.graph.Pool2d;
import dev.fineturn.models.graph.SameConv2d;
import dev.fineturn.models.graph.Unary;
import dev.fineturn.models.keras.TfjsLayersModel;
import dev.fineturn.nn.Activation;
import dev.fineturn.nn.AvgPool2d;
import dev.fineturn.nn.BatchNorm2d;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Conv2d;
import dev.fineturn.nn.Linear;
import dev.fineturn.nn.Residual;
import dev.fineturn.nn.Sequential;
import dev.fineturn.nn.Init;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Exported models run in ONNX Runtime and give fineturn's logits (eval mode) within 1e-4 of the
 * largest logit: every built-in architecture (random weights and batch-norm statistics; ResNet-50
 * and VGG with fewer channels), an MLP head, imported PyTorch graphs with residual Adds and Concat
 * after a new head, TF.js and Keras graphs written with NHWC input, and a graph with every merge
 * and activation.
 */
class OnnxRuntimeParityTest {
    private static final double RTOL = 1e-4;
    private static final int M = Vgg.M;

    @BeforeAll
    static void backend() {
        Init.useBackend(ReferenceBackend.get());
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "resnet34", "mobilenet_v2", "lenet"})
    void builtInArchitectures(String name) throws Exception {
        Init.seed(11);
        Classifier net = Architectures.create(name, 10);
        int side = name.equals("lenet") ? 28 : 32;
        assertParity(name, randomStatistics(net), side, GraphModel.Layout.NCHW);
    }

    @Test
    void resnet50WithFewerChannels() throws Exception {
        Init.seed(12);
        Classifier net = new ResNet(ResNet.Block.BOTTLENECK, new int[]{3, 4, 6, 3}, 8, 7);
        net.setPreprocessing(dev.fineturn.data.Preprocessing.IMAGENET);
        assertParity("resnet50 (width 8)", randomStatistics(net), 32, GraphModel.Layout.NCHW);
    }

    @Test
    void vgg11AndVgg16WithFewerChannels() throws Exception {
        Init.seed(13);
        int[] a = {8, M, 16, M, 32, 32, M, 64, 64, M, 64, 64, M};
        int[] d = {8, 8, M, 16, 16, M, 32, 32, 32, M, 64, 64, 64, M, 64, 64, 64, M};
        assertParity("vgg11_bn (1/8 width)", randomStatistics(new Vgg(a, true, 48, 5)), 32,
                GraphModel.Layout.NCHW);
        assertParity("vgg16_bn (1/8 width)", randomStatistics(new Vgg(d, true, 48, 5)), 64,
                GraphModel.Layout.NCHW);
    }

    @Test
    void anMlpHeadOnAResNet() throws Exception {
        Init.seed(14);
        Classifier net = Architectures.create("resnet18", 1000);
        net.replaceHeadWithMlp(4, 16, Init.Scheme.HE);
        assertParity("resnet18 + mlp head", randomStatistics(net), 32, GraphModel.Layout.NCHW);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny_cnn_opset11", "tiny_cnn_opset13", "mobilenet_v2"})
    void importedPyTorchGraphsWithANewHead(String fixture) throws Exception {
        Init.seed(15);
        GraphModel g = OnnxModel.load(OnnxParityTest.FIXTURES.resolve(fixture).resolve("model.onnx"));
        int side = (int) OnnxModel.open(OnnxParityTest.FIXTURES.resolve(fixture).resolve("model.onnx"))
                .inputShape(g.inputName())[2];
        g.replaceHead(3);
        assertParity(fixture + " (imported)", g, side, GraphModel.Layout.NCHW);
    }

    @Test
    void aTfjsGraphTakesNhwcInput() throws Exception {
        Init.seed(16);
        GraphModel full = TfjsLayersModel.loadResource(TfjsLayersModel.class,
                "/dev/fineturn/models/pretrained/mobilenet_v2/model.json");
        assertEquals(GraphModel.Layout.NHWC, full.sourceLayout());
        GraphModel cut = full.truncate("block_5_add", 4, 32);
        assertParity("TF.js MobileNetV2 to block_5_add (NHWC)", cut, 32, GraphModel.Layout.NHWC);
    }

    @Test
    void aKerasH5GraphWithAddZeroPaddingAndSamePadding() throws Exception {
        Init.seed(17);
        java.net.URL url = OnnxRuntimeParityTest.class.getResource("/fixtures/keras_h5/small_cnn.h5");
        GraphModel g = dev.fineturn.models.keras.KerasH5Model.load(java.nio.file.Path.of(url.toURI()));
        assertParity("Keras .h5 small CNN (NHWC, 15 x 15)", randomStatistics(g), 15, GraphModel.Layout.NHWC);
    }

    /**
     * A graph built in code with every merge (concat, multiply, add inside a residual), each
     * activation kind, "same" padding on an odd size, and a module tree as one node.
     */
    @Test
    void mergesActivationsAndModuleTreesInAGraph() throws Exception {
        Init.seed(18);
        GraphModel g = new GraphModel("x", 3, GraphModel.Layout.NCHW);
        g.addNode("stem", new SameConv2d(3, 6, 3, 3, 2, 2, 1, 1, 1, true), List.of("x"));
        g.addNode("leaky", new Unary(Unary.Kind.LEAKY_RELU, 0.1f, 0f), List.of("stem"));
        g.addNode("swish", Unary.of(Unary.Kind.HARD_SWISH), List.of("stem"));
        g.addNode("cat", new Merge(Merge.Kind.CONCAT, 1), List.of("leaky", "swish"));
        g.addNode("squeeze", new Conv2d(12, 12, 1, 1, 0, true), List.of("cat"));
        g.addNode("gate", new Unary(Unary.Kind.HARD_SIGMOID, 0.2f, 0.5f), List.of("squeeze"));
        g.addNode("scaled", new Merge(Merge.Kind.MULTIPLY, 0), List.of("cat", "gate"));
        g.addNode("clip", new Unary(Unary.Kind.CLIP_MAX, 6f, 0f), List.of("scaled"));
        g.addNode("block", new Sequential(new Conv2d(12, 12, 3, 1, 1, false), new BatchNorm2d(12),
                new Activation(Activation.Kind.HARD_SWISH),
                new Residual(new Sequential(new Conv2d(12, 12, 1, 1, 0, true), new Activation(Activation.Kind.TANH)),
                        null),
                new Activation(Activation.Kind.SIGMOID), new AvgPool2d(2, 2, 0, true, false)), List.of("clip"));
        g.addNode("pool", Pool2d.same(true, 3, 3, 2, 2), List.of("block"));
        g.addNode("flat", new ChannelsLastFlatten(), List.of("pool"));
        g.addNode("fc", new Linear(12 * 2 * 2, 4, true), List.of("flat"));
        g.setOutput("fc", OutputActivation.NONE);
        assertParity("graph with concat, multiply, residual, activations (15 x 15)", randomStatistics(g), 15,
                GraphModel.Layout.NCHW);
    }

    /** Batch-norm statistics and affine terms drawn at random, so inference-mode batch norm is tested. */
    static Classifier randomStatistics(Classifier net) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        int k = 0;
        for (Map.Entry<String, Tensor> e : net.stateDict().entrySet()) {
            Tensor t = e.getValue();
            String n = e.getKey();
            int seed = 100 + k++;
            if (n.endsWith("running_var")) {
                t = Tensor.uniform(t.backend(), seed, 0.5f, 1.5f, t.shape());
            } else if (n.endsWith("running_mean")) {
                t = Tensor.uniform(t.backend(), seed, -0.3f, 0.3f, t.shape());
            } else if (t.rank() == 1 && net.namedBuffers().containsKey(n.replace("weight", "running_mean"))) {
                t = Tensor.uniform(t.backend(), seed, 0.5f, 1.5f, t.shape());
            }
            state.put(n, t);
        }
        net.loadStateDict(state, true);
        return net;
    }

    private static void assertParity(String what, Classifier net, int side, GraphModel.Layout layout)
            throws Exception {
        net.eval();
        int c = net.inputChannels();
        int n = 2;
        Tensor x = Tensor.uniform(ReferenceBackend.get(), 3, 0f, 1f, n, c, side, side);
        float[] expected;
        float[] fed;
        try (var g = GradMode.noGrad()) {
            expected = net.forward(x).toArray();
            fed = net.preprocessing().apply(x).toArray();
        }
        byte[] model = OnnxExport.toProto(net, side, side, layout).toByteArray();
        long[] shape = {n, c, side, side};
        if (layout == GraphModel.Layout.NHWC) {
            fed = Layouts.nchwToNhwc(fed, n, c, side, side);
            shape = new long[]{n, side, side, c};
        }
        OnnxParityTest.assertClose(what, expected, run(model, fed, shape), RTOL);
    }

    static float[] run(byte[] model, float[] input, long[] shape) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model, options);
                 var in = ai.onnxruntime.OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
                 OrtSession.Result r = session.run(Map.of(session.getInputNames().iterator().next(), in))) {
                float[][] out = (float[][]) r.get(0).getValue();
                float[] flat = new float[out.length * out[0].length];
                for (int i = 0; i < out.length; i++) {
                    System.arraycopy(out[i], 0, flat, i * out[0].length, out[0].length);
                }
                return flat;
            }
        }
    }
}
