package dev.fineturn.models.onnx;

import com.google.protobuf.ByteString;
import dev.fineturn.models.graph.ChannelsLastFlatten;
import dev.fineturn.models.graph.GlobalAvgPool;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.graph.Merge;
import dev.fineturn.models.graph.Pool2d;
import dev.fineturn.models.graph.SameConv2d;
import dev.fineturn.models.graph.Unary;
import dev.fineturn.models.onnx.proto.Onnx;
import dev.fineturn.nn.AdaptiveAvgPool2d;
import dev.fineturn.nn.BatchNorm2d;
import dev.fineturn.nn.Conv2d;
import dev.fineturn.nn.Dropout;
import dev.fineturn.nn.Flatten;
import dev.fineturn.nn.Linear;
import dev.fineturn.nn.MlpHead;
import dev.fineturn.nn.Module;
import dev.fineturn.nn.ZeroPad2d;
import dev.fineturn.ops.Conv2dOptions;
import dev.fineturn.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link GraphModel} (an imported network, possibly cut and with a new head) as an ONNX
 * model (opset 13) with its current weights: logits out, the batch dimension symbolic. Layers
 * without an ONNX counterpart in this exporter fail with an error naming the layer.
 */
public final class OnnxExport {
    private static final int OPSET = 13;
    /**
     * Metadata entry that records the model's input convention ({@link dev.fineturn.data.Preprocessing}
     * syntax): the exported graph takes preprocessed input, and the importer reads the entry back.
     */
    public static final String PREPROCESS_KEY = "fineturn.preprocess";

    private OnnxExport() {
    }

    /** Writes {@code model} for NCHW input of {@code channels x height x width}; atomically. */
    public static void write(GraphModel model, int height, int width, Path file) throws IOException {
        Tensor probe = Tensor.zeros(model.parameters().get(0).backend(), 1, model.inputChannels(), height, width);
        boolean training = model.isTraining();
        model.eval();
        Map<String, int[]> shapes = model.nodeShapes(probe);
        model.train(training);
        Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder().setName("fineturn");
        g.addInput(valueInfo(model.inputName(), "N", model.inputChannels(), height, width));
        for (GraphModel.Node node : model.nodes()) {
            Module m = model.children().get(node.name());
            int[] in = shapes.get(node.inputs().get(0));
            emit(g, node, m, in);
        }
        String head = model.headPath();
        g.addOutput(valueInfo(head, "N", model.numClasses()));
        Onnx.ModelProto proto = Onnx.ModelProto.newBuilder().setIrVersion(7).setProducerName("fineturn")
                .setProducerVersion("0.1.0").addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(OPSET))
                .setGraph(g).addMetadataProps(Onnx.StringStringEntryProto.newBuilder().setKey(PREPROCESS_KEY)
                        .setValue(model.preprocessing().spec())).build();
        dev.fineturn.io.AtomicFiles.write(file, proto::writeTo);
    }

    /** A fully connected layer as Gemm: output {@code out}, initializers named {@code params}.weight/.bias. */
    private static void gemm(Onnx.GraphProto.Builder g, String out, String params, String x, Linear l) {
        Map<String, Tensor> p = l.namedParameters();
        g.addInitializer(tensor(params + ".weight", p.get("weight")));
        List<String> ins = new java.util.ArrayList<>(List.of(x, params + ".weight"));
        if (p.containsKey("bias")) {
            g.addInitializer(tensor(params + ".bias", p.get("bias")));
            ins.add(params + ".bias");
        }
        g.addNode(node(out, "Gemm", ins).addAttribute(intAttr("transB", 1)));
    }

    private static void emit(Onnx.GraphProto.Builder g, GraphModel.Node node, Module m, int[] in) {
        String name = node.name();
        List<String> inputs = node.inputs();
        String x = inputs.get(0);
        if (m instanceof Conv2d c) {
            Conv2dOptions o = c.options();
            conv(g, name, x, c, new int[]{o.strideH(), o.strideW()}, new int[]{o.dilationH(), o.dilationW()},
                    o.groups(), new int[]{o.padTop(), o.padLeft(), o.padBottom(), o.padRight()});
        } else if (m instanceof SameConv2d c) {
            conv(g, name, x, c, c.strides(), c.dilations(), c.groups(), c.paddingFor(in[2], in[3]));
        } else if (m instanceof BatchNorm2d bn) {
            Map<String, Tensor> p = bn.namedParameters();
            Map<String, Tensor> b = bn.namedBuffers();
            g.addInitializer(tensor(name + ".weight", p.get("weight")));
            g.addInitializer(tensor(name + ".bias", p.get("bias")));
            g.addInitializer(tensor(name + ".running_mean", b.get("running_mean")));
            g.addInitializer(tensor(name + ".running_var", b.get("running_var")));
            g.addNode(node(name, "BatchNormalization", List.of(x, name + ".weight", name + ".bias",
                    name + ".running_mean", name + ".running_var")).addAttribute(floatAttr("epsilon", bn.eps())));
        } else if (m instanceof Unary u) {
            unary(g, name, x, u);
        } else if (m instanceof Merge mg) {
            String op = switch (mg.kind()) {
                case ADD -> "Add";
                case MULTIPLY -> "Mul";
                case CONCAT -> "Concat";
            };
            Onnx.NodeProto.Builder n = node(name, op, inputs);
            if (mg.kind() == Merge.Kind.CONCAT) {
                n.addAttribute(intAttr("axis", mg.axis()));
            }
            g.addNode(n);
        } else if (m instanceof ZeroPad2d z) {
            int[] p = z.padding();
            g.addInitializer(Onnx.TensorProto.newBuilder().setName(name + ".pads").addDims(8)
                    .setDataType(Onnx.TensorProto.DataType.INT64_VALUE)
                    .addAllInt64Data(List.of(0L, 0L, (long) p[0], (long) p[1], 0L, 0L, (long) p[2], (long) p[3])));
            g.addNode(node(name, "Pad", List.of(x, name + ".pads")));
        } else if (m instanceof Pool2d p) {
            int[] pads = p.paddingFor(in[2], in[3]);
            Onnx.NodeProto.Builder n = node(name, p.isMax() ? "MaxPool" : "AveragePool", List.of(x))
                    .addAttribute(intsAttr("kernel_shape", p.kernel())).addAttribute(intsAttr("strides", p.strides()))
                    .addAttribute(intsAttr("pads", new int[]{pads[0], pads[1], pads[2], pads[3]}))
                    .addAttribute(intAttr("ceil_mode", p.ceilMode() ? 1 : 0));
            if (!p.isMax()) {
                n.addAttribute(intAttr("count_include_pad", p.countIncludePad() ? 1 : 0));
            }
            g.addNode(n);
        } else if (m instanceof GlobalAvgPool gap) {
            if (gap.keepDims()) {
                g.addNode(node(name, "GlobalAveragePool", List.of(x)));
            } else {
                g.addNode(node(name + "__gap", "GlobalAveragePool", List.of(x)).setOutput(0, name + "__gap"));
                g.addNode(node(name, "Flatten", List.of(name + "__gap")).addAttribute(intAttr("axis", 1)));
            }
        } else if (m instanceof AdaptiveAvgPool2d) {
            g.addNode(node(name, "GlobalAveragePool", List.of(x)));
        } else if (m instanceof Flatten) {
            g.addNode(node(name, "Flatten", List.of(x)).addAttribute(intAttr("axis", 1)));
        } else if (m instanceof ChannelsLastFlatten) {
            g.addNode(node(name + "__nhwc", "Transpose", List.of(x)).setOutput(0, name + "__nhwc")
                    .addAttribute(intsAttr("perm", new int[]{0, 2, 3, 1})));
            g.addNode(node(name, "Flatten", List.of(name + "__nhwc")).addAttribute(intAttr("axis", 1)));
        } else if (m instanceof Dropout) {
            g.addNode(node(name, "Identity", List.of(x)));
        } else if (m instanceof Linear l) {
            gemm(g, name, name, x, l);
        } else if (m instanceof MlpHead mlp) {
            gemm(g, name + "_hidden", name + ".0", x, (Linear) mlp.layers().getFirst());
            g.addNode(node(name + "_relu", "Relu", List.of(name + "_hidden")));
            gemm(g, name, name + ".2", name + "_relu", mlp.output());
        } else {
            throw new IllegalArgumentException("ONNX export: layer '" + name + "' (" + m + ") has no ONNX "
                    + "counterpart in this exporter");
        }
    }

    private static void conv(Onnx.GraphProto.Builder g, String name, String x, Module c, int[] strides, int[] dil,
                             int groups, int[] pads) {
        Map<String, Tensor> p = c.namedParameters();
        Tensor w = p.get("weight");
        g.addInitializer(tensor(name + ".weight", w));
        java.util.List<String> ins = new java.util.ArrayList<>(List.of(x, name + ".weight"));
        if (p.containsKey("bias")) {
            g.addInitializer(tensor(name + ".bias", p.get("bias")));
            ins.add(name + ".bias");
        }
        g.addNode(node(name, "Conv", ins).addAttribute(intsAttr("kernel_shape", new int[]{w.dim(2), w.dim(3)}))
                .addAttribute(intsAttr("strides", strides)).addAttribute(intsAttr("dilations", dil))
                .addAttribute(intAttr("group", groups))
                .addAttribute(intsAttr("pads", new int[]{pads[0], pads[1], pads[2], pads[3]})));
    }

    private static void unary(Onnx.GraphProto.Builder g, String name, String x, Unary u) {
        switch (u.kind()) {
            case RELU -> g.addNode(node(name, "Relu", List.of(x)));
            case LEAKY_RELU -> g.addNode(node(name, "LeakyRelu", List.of(x)).addAttribute(floatAttr("alpha", u.alpha())));
            case CLIP_MAX -> {
                g.addInitializer(scalar(name + ".min", 0f));
                g.addInitializer(scalar(name + ".max", u.alpha()));
                g.addNode(node(name, "Clip", List.of(x, name + ".min", name + ".max")));
            }
            case SIGMOID -> g.addNode(node(name, "Sigmoid", List.of(x)));
            case TANH -> g.addNode(node(name, "Tanh", List.of(x)));
            case HARD_SIGMOID -> g.addNode(node(name, "HardSigmoid", List.of(x))
                    .addAttribute(floatAttr("alpha", u.alpha())).addAttribute(floatAttr("beta", u.beta())));
            case SOFTMAX -> g.addNode(node(name, "Softmax", List.of(x)).addAttribute(intAttr("axis", 1)));
            case IDENTITY -> g.addNode(node(name, "Identity", List.of(x)));
            case HARD_SWISH -> {
                g.addNode(node(name + "__hs", "HardSigmoid", List.of(x)).setOutput(0, name + "__hs")
                        .addAttribute(floatAttr("alpha", 1f / 6f)).addAttribute(floatAttr("beta", 0.5f)));
                g.addNode(node(name, "Mul", List.of(x, name + "__hs")));
            }
        }
    }

    private static Onnx.NodeProto.Builder node(String name, String op, List<String> inputs) {
        return Onnx.NodeProto.newBuilder().setName(name).setOpType(op).addAllInput(inputs).addOutput(name);
    }

    private static Onnx.AttributeProto intAttr(String name, long v) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.INT).setI(v)
                .build();
    }

    private static Onnx.AttributeProto floatAttr(String name, float v) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.FLOAT)
                .setF(v).build();
    }

    private static Onnx.AttributeProto intsAttr(String name, int[] v) {
        Onnx.AttributeProto.Builder b = Onnx.AttributeProto.newBuilder().setName(name)
                .setType(Onnx.AttributeProto.AttributeType.INTS);
        for (int i : v) {
            b.addInts(i);
        }
        return b.build();
    }

    private static Onnx.TensorProto tensor(String name, Tensor t) {
        float[] v = t.toArray();
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        Onnx.TensorProto.Builder p = Onnx.TensorProto.newBuilder().setName(name)
                .setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(b.array()));
        for (int d : t.shape()) {
            p.addDims(d);
        }
        return p.build();
    }

    private static Onnx.TensorProto scalar(String name, float v) {
        return Onnx.TensorProto.newBuilder().setName(name).setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE)
                .addFloatData(v).build();
    }

    private static Onnx.ValueInfoProto valueInfo(String name, String batch, int... dims) {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder()
                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam(batch));
        for (int d : dims) {
            shape.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder().setTensorType(
                Onnx.TypeProto.Tensor.newBuilder().setElemType(Onnx.TensorProto.DataType.FLOAT_VALUE)
                        .setShape(shape))).build();
    }
}
