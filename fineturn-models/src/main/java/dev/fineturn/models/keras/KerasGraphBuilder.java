package dev.fineturn.models.keras;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fineturn.io.NamedTensor;
import dev.fineturn.models.graph.ChannelsLastFlatten;
import dev.fineturn.models.graph.GlobalAvgPool;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.graph.Merge;
import dev.fineturn.models.graph.OutputActivation;
import dev.fineturn.models.graph.Pool2d;
import dev.fineturn.models.graph.SameConv2d;
import dev.fineturn.models.graph.Unary;
import dev.fineturn.nn.BatchNorm2d;
import dev.fineturn.nn.Conv2d;
import dev.fineturn.nn.Dropout;
import dev.fineturn.nn.Linear;
import dev.fineturn.nn.Layer;
import dev.fineturn.nn.ZeroPad2d;
import dev.fineturn.ops.Conv2dOptions;
import dev.fineturn.tensor.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link GraphModel} from a Keras functional or sequential model config and its weights,
 * converting channels-last kernels to fineturn's layouts (Conv2D HWIO to OIHW, depthwise
 * [kh, kw, in, m] to [in*m, 1, kh, kw], Dense [in, out] to [out, in]).
 */
public final class KerasGraphBuilder {
    private final String source;
    private final KerasWeights weights;
    private final Map<String, int[]> shapes = new HashMap<>();
    /** Keras layer name to the node holding its output (a separate node when it has an activation). */
    private final Map<String, String> outputOf = new HashMap<>();
    private GraphModel graph;

    public KerasGraphBuilder(String source, KerasWeights weights) {
        this.source = source;
        this.weights = weights;
    }

    public GraphModel build(JsonNode modelConfig) {
        String cls = modelConfig.path("class_name").asText();
        JsonNode cfg = modelConfig.path("config");
        JsonNode layers = cfg.isArray() ? cfg : cfg.path("layers");
        if (!layers.isArray() || layers.isEmpty()) {
            throw new IllegalArgumentException(source + ": model config has no layers");
        }
        boolean sequential = cls.equals("Sequential");
        String previous = null;
        String lastNode = null;
        String lastActivation = "linear";
        String lastDense = null;
        for (JsonNode layer : layers) {
            String type = layer.path("class_name").asText();
            JsonNode c = layer.path("config");
            String name = c.path("name").asText(layer.path("name").asText());
            List<String> inputs = (sequential ? (previous == null ? List.<String>of() : List.of(previous))
                    : inbound(layer)).stream().map(n -> outputOf.getOrDefault(n, n)).toList();
            if (type.equals("InputLayer") || graph == null && sequential) {
                JsonNode shape = c.path("batch_input_shape");
                if (!shape.isArray() || shape.size() != 4) {
                    throw new IllegalArgumentException(source + ": input layer '" + name + "' needs a 4-D "
                            + "batch_input_shape [null, H, W, C], got " + shape);
                }
                int channels = shape.get(3).asInt();
                graph = new GraphModel(type.equals("InputLayer") ? name : "input", channels, GraphModel.Layout.NHWC);
                shapes.put(GraphModel.sanitize(type.equals("InputLayer") ? name : "input"),
                        new int[]{channels, shape.get(1).asInt(-1), shape.get(2).asInt(-1)});
                if (type.equals("InputLayer")) {
                    previous = name;
                    continue;
                }
                previous = "input";
                inputs = List.of(previous);
            }
            String activation = c.path("activation").asText("linear");
            String node = add(type, name, c, inputs);
            lastNode = node;
            lastActivation = activation;
            if (type.equals("Dense")) {
                lastDense = name;
            }
            if (!activation.equals("linear") && !type.equals("Activation") && c.has("activation")) {
                String actName = name + "__" + activation;
                graph.addNode(actName, activationModule(activation, name), List.of(name));
                shapes.put(GraphModel.sanitize(actName), shapes.get(GraphModel.sanitize(name)));
                outputOf.put(name, actName);
                lastNode = actName;
            }
            previous = lastNode;
        }
        String outName = sequential ? lastNode : cfg.path("output_layers").path(0).path(0).asText(lastNode);
        declareOutput(outName, lastDense, lastActivation, layers);
        graph.setPreprocessing(KerasPreprocessing.forModelName(cfg.path("name").asText("")));
        return graph;
    }

    private void declareOutput(String outName, String lastDense, String lastActivation, JsonNode layers) {
        JsonNode outLayer = null;
        for (JsonNode l : layers) {
            if (l.path("config").path("name").asText(l.path("name").asText()).equals(outName)) {
                outLayer = l;
            }
        }
        String type = outLayer == null ? "" : outLayer.path("class_name").asText();
        if (type.equals("Dense")) {
            String act = outLayer.path("config").path("activation").asText("linear");
            graph.setOutput(outName, outputActivation(act));
        } else if (type.equals("Activation") && lastDense != null) {
            graph.setOutput(lastDense, outputActivation(outLayer.path("config").path("activation").asText()));
        } else if (outName.endsWith("__" + lastActivation) && lastDense != null) {
            graph.setOutput(lastDense, outputActivation(lastActivation));
        } else {
            throw new IllegalArgumentException(source + ": the model ends in '" + outName + "' (" + type
                    + "), not a Dense layer; fineturn needs a fully connected classifier head to replace");
        }
    }

    private OutputActivation outputActivation(String act) {
        return switch (act) {
            case "softmax" -> OutputActivation.SOFTMAX;
            case "sigmoid" -> OutputActivation.SIGMOID;
            case "linear" -> OutputActivation.NONE;
            default -> throw new IllegalArgumentException(source + ": unsupported output activation '" + act + "'");
        };
    }

    private List<String> inbound(JsonNode layer) {
        List<String> ins = new ArrayList<>();
        JsonNode nodes = layer.path("inbound_nodes");
        if (nodes.isArray() && !nodes.isEmpty()) {
            for (JsonNode in : nodes.get(0)) {
                ins.add(in.get(0).asText());
            }
        }
        return ins;
    }

    private String add(String type, String name, JsonNode c, List<String> inputs) {
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException(source + ": layer '" + name + "' (" + type + ") has no inputs");
        }
        int[] inShape = shapes.get(GraphModel.sanitize(inputs.get(0)));
        if (inShape == null) {
            throw new IllegalArgumentException(source + ": layer '" + name + "' reads unknown layer " + inputs);
        }
        Layer m;
        int[] out;
        switch (type) {
            case "ZeroPadding2D" -> {
                int[] p = padding(c.path("padding"));
                m = new ZeroPad2d(p[0], p[2], p[1], p[3]);
                out = new int[]{inShape[0], add(inShape[1], p[0] + p[1]), add(inShape[2], p[2] + p[3])};
            }
            case "Conv2D" -> {
                int[] k = pair(c.path("kernel_size"));
                int[] s = pair(c.path("strides"));
                int[] d = pair(c.path("dilation_rate"));
                int filters = c.path("filters").asInt();
                boolean bias = c.path("use_bias").asBoolean(true);
                boolean same = c.path("padding").asText().equals("same");
                int inC = inShape[0];
                m = same ? new SameConv2d(inC, filters, k[0], k[1], s[0], s[1], d[0], d[1], 1, bias)
                        : new Conv2d(inC, filters, k[0], k[1], new Conv2dOptions(s[0], s[1], 0, 0, 0, 0, d[0], d[1], 1),
                        bias);
                NamedTensor kernel = weights.require(name, "kernel", new int[]{k[0], k[1], inC, filters});
                set(m, "weight", hwioToOihw(kernel));
                if (bias) {
                    set(m, "bias", weights.require(name, "bias", new int[]{filters}).data());
                }
                out = new int[]{filters, convOut(inShape[1], k[0], s[0], d[0], same),
                        convOut(inShape[2], k[1], s[1], d[1], same)};
            }
            case "DepthwiseConv2D" -> {
                int[] k = pair(c.path("kernel_size"));
                int[] s = pair(c.path("strides"));
                int[] d = pair(c.path("dilation_rate"));
                int mult = c.path("depth_multiplier").asInt(1);
                boolean bias = c.path("use_bias").asBoolean(true);
                boolean same = c.path("padding").asText().equals("same");
                int inC = inShape[0];
                m = same ? new SameConv2d(inC, inC * mult, k[0], k[1], s[0], s[1], d[0], d[1], inC, bias)
                        : new Conv2d(inC, inC * mult, k[0], k[1], new Conv2dOptions(s[0], s[1], 0, 0, 0, 0, d[0], d[1],
                        inC), bias);
                NamedTensor kernel = weights.require(name, "depthwise_kernel", new int[]{k[0], k[1], inC, mult});
                set(m, "weight", depthwiseToOihw(kernel));
                if (bias) {
                    set(m, "bias", weights.require(name, "bias", new int[]{inC * mult}).data());
                }
                out = new int[]{inC * mult, convOut(inShape[1], k[0], s[0], d[0], same),
                        convOut(inShape[2], k[1], s[1], d[1], same)};
            }
            case "BatchNormalization" -> {
                int axis = c.path("axis").isArray() ? c.path("axis").get(0).asInt() : c.path("axis").asInt(-1);
                int rank = inShape.length + 1;
                if (axis != -1 && axis != rank - 1) {
                    throw new IllegalArgumentException(source + ": BatchNormalization '" + name + "' on axis " + axis
                            + " is not supported (channels-last axis -1 only)");
                }
                int ch = inShape[0];
                BatchNorm2d bn = new BatchNorm2d(ch, (float) c.path("epsilon").asDouble(1e-3),
                        (float) (1 - c.path("momentum").asDouble(0.99)));
                if (c.path("scale").asBoolean(true)) {
                    set(bn, "weight", weights.require(name, "gamma", new int[]{ch}).data());
                }
                if (c.path("center").asBoolean(true)) {
                    set(bn, "bias", weights.require(name, "beta", new int[]{ch}).data());
                }
                setBuffer(bn, "running_mean", weights.require(name, "moving_mean", new int[]{ch}).data());
                setBuffer(bn, "running_var", weights.require(name, "moving_variance", new int[]{ch}).data());
                m = bn;
                out = inShape;
            }
            case "ReLU" -> {
                double max = c.path("max_value").isNull() || c.path("max_value").isMissingNode() ? -1
                        : c.path("max_value").asDouble();
                double slope = c.path("negative_slope").asDouble(0);
                if (c.path("threshold").asDouble(0) != 0) {
                    throw new IllegalArgumentException(source + ": ReLU '" + name + "' with a threshold is not supported");
                }
                if (slope != 0 && max >= 0) {
                    throw new IllegalArgumentException(source + ": ReLU '" + name
                            + "' with both max_value and negative_slope is not supported");
                }
                m = slope != 0 ? new Unary(Unary.Kind.LEAKY_RELU, (float) slope, 0f)
                        : max >= 0 ? new Unary(Unary.Kind.CLIP_MAX, (float) max, 0f) : Unary.of(Unary.Kind.RELU);
                out = inShape;
            }
            case "LeakyReLU" -> {
                m = new Unary(Unary.Kind.LEAKY_RELU, (float) c.path("alpha").asDouble(0.3), 0f);
                out = inShape;
            }
            case "Activation" -> {
                m = activationModule(c.path("activation").asText(), name);
                out = inShape;
            }
            case "Add", "Multiply", "Concatenate" -> {
                m = type.equals("Add") ? Merge.add() : type.equals("Multiply")
                        ? new Merge(Merge.Kind.MULTIPLY, 0) : new Merge(Merge.Kind.CONCAT, concatAxis(c, name, inShape));
                if (type.equals("Concatenate")) {
                    int total = 0;
                    for (String in : inputs) {
                        total += shapes.get(GraphModel.sanitize(in))[0];
                    }
                    out = new int[]{total, inShape[1], inShape[2]};
                } else {
                    out = inShape;
                }
            }
            case "AveragePooling2D", "MaxPooling2D" -> {
                int[] k = pair(c.path("pool_size"));
                int[] s = c.path("strides").isNull() || c.path("strides").isMissingNode() ? k : pair(c.path("strides"));
                boolean same = c.path("padding").asText().equals("same");
                boolean max = type.startsWith("Max");
                m = same ? Pool2d.same(max, k[0], k[1], s[0], s[1])
                        : new Pool2d(max, k[0], k[1], s[0], s[1], new int[4], false, true);
                out = new int[]{inShape[0], convOut(inShape[1], k[0], s[0], 1, same),
                        convOut(inShape[2], k[1], s[1], 1, same)};
            }
            case "GlobalAveragePooling2D" -> {
                m = new GlobalAvgPool(c.path("keepdims").asBoolean(false));
                out = c.path("keepdims").asBoolean(false) ? new int[]{inShape[0], 1, 1} : new int[]{inShape[0]};
            }
            case "Flatten" -> {
                m = new ChannelsLastFlatten();
                out = new int[]{inShape.length == 3 ? inShape[0] * Math.max(inShape[1], 1) * Math.max(inShape[2], 1)
                        : inShape[0]};
            }
            case "Dense" -> {
                int units = c.path("units").asInt();
                int in = inShape[0];
                if (inShape.length != 1) {
                    throw new IllegalArgumentException(source + ": Dense '" + name + "' on a " + inShape.length
                            + "-D input is not supported; add Flatten or GlobalAveragePooling2D before it");
                }
                boolean bias = c.path("use_bias").asBoolean(true);
                Linear lin = new Linear(in, units, bias);
                NamedTensor kernel = weights.require(name, "kernel", new int[]{in, units});
                set(lin, "weight", transpose(kernel.data(), in, units));
                if (bias) {
                    set(lin, "bias", weights.require(name, "bias", new int[]{units}).data());
                }
                m = lin;
                out = new int[]{units};
            }
            case "Dropout" -> {
                m = new Dropout((float) c.path("rate").asDouble());
                out = inShape;
            }
            default -> throw new IllegalArgumentException(source + ": Keras layer '" + name + "' of type " + type
                    + " is not supported");
        }
        m.train(false);
        graph.addNode(name, m, inputs);
        shapes.put(GraphModel.sanitize(name), out);
        return name;
    }

    private int concatAxis(JsonNode c, String name, int[] inShape) {
        int axis = c.path("axis").asInt(-1);
        if (axis != -1 && axis != inShape.length) {
            throw new IllegalArgumentException(source + ": Concatenate '" + name + "' on axis " + axis
                    + " is not supported (channels only)");
        }
        return 1;
    }

    private Layer activationModule(String act, String layer) {
        return switch (act) {
            case "relu" -> Unary.of(Unary.Kind.RELU);
            case "relu6" -> new Unary(Unary.Kind.CLIP_MAX, 6f, 0f);
            case "sigmoid" -> Unary.of(Unary.Kind.SIGMOID);
            case "tanh" -> Unary.of(Unary.Kind.TANH);
            case "hard_sigmoid" -> new Unary(Unary.Kind.HARD_SIGMOID, 0.2f, 0.5f);
            case "softmax" -> Unary.of(Unary.Kind.SOFTMAX);
            case "linear" -> Unary.of(Unary.Kind.IDENTITY);
            default -> throw new IllegalArgumentException(source + ": layer '" + layer + "' uses unsupported activation '"
                    + act + "'");
        };
    }

    private static int add(int a, int b) {
        return a < 0 ? a : a + b;
    }

    private static int convOut(int in, int k, int s, int d, boolean same) {
        if (in < 0) {
            return in;
        }
        return same ? (in + s - 1) / s : (in - d * (k - 1) - 1) / s + 1;
    }

    /** Keras padding: int, [h, w] or [[top, bottom], [left, right]] to {top, bottom, left, right}. */
    private int[] padding(JsonNode p) {
        if (p.isInt()) {
            return new int[]{p.asInt(), p.asInt(), p.asInt(), p.asInt()};
        }
        if (p.isArray() && p.size() == 2 && p.get(0).isArray()) {
            return new int[]{p.get(0).get(0).asInt(), p.get(0).get(1).asInt(), p.get(1).get(0).asInt(),
                    p.get(1).get(1).asInt()};
        }
        if (p.isArray() && p.size() == 2) {
            return new int[]{p.get(0).asInt(), p.get(0).asInt(), p.get(1).asInt(), p.get(1).asInt()};
        }
        throw new IllegalArgumentException(source + ": unreadable padding " + p);
    }

    private static int[] pair(JsonNode v) {
        if (v.isArray()) {
            return new int[]{v.get(0).asInt(), v.get(v.size() - 1).asInt()};
        }
        int x = v.asInt(1);
        return new int[]{x, x};
    }

    private static float[] hwioToOihw(NamedTensor k) {
        int kh = k.shape()[0];
        int kw = k.shape()[1];
        int in = k.shape()[2];
        int out = k.shape()[3];
        float[] src = k.data();
        float[] dst = new float[src.length];
        for (int y = 0; y < kh; y++) {
            for (int x = 0; x < kw; x++) {
                for (int i = 0; i < in; i++) {
                    for (int o = 0; o < out; o++) {
                        dst[((o * in + i) * kh + y) * kw + x] = src[((y * kw + x) * in + i) * out + o];
                    }
                }
            }
        }
        return dst;
    }

    private static float[] depthwiseToOihw(NamedTensor k) {
        int kh = k.shape()[0];
        int kw = k.shape()[1];
        int in = k.shape()[2];
        int mult = k.shape()[3];
        float[] src = k.data();
        float[] dst = new float[src.length];
        for (int y = 0; y < kh; y++) {
            for (int x = 0; x < kw; x++) {
                for (int c = 0; c < in; c++) {
                    for (int m = 0; m < mult; m++) {
                        dst[((c * mult + m) * kh + y) * kw + x] = src[((y * kw + x) * in + c) * mult + m];
                    }
                }
            }
        }
        return dst;
    }

    private static float[] transpose(float[] src, int rows, int cols) {
        float[] dst = new float[src.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                dst[c * rows + r] = src[r * cols + c];
            }
        }
        return dst;
    }

    private static void set(Layer m, String param, float[] values) {
        Tensor t = m.namedParameters().get(param);
        t.copyFrom(Tensor.of(t.backend(), values, t.shape()));
    }

    private static void setBuffer(Layer m, String buffer, float[] values) {
        Tensor t = m.namedBuffers().get(buffer);
        t.copyFrom(Tensor.of(t.backend(), values, t.shape()));
    }
}
