package dev.fineturn.models.onnx;

import dev.fineturn.io.AtomicFiles;
import dev.fineturn.models.arch.LeNet;
import dev.fineturn.models.arch.MobileNetV2;
import dev.fineturn.models.arch.ResNet;
import dev.fineturn.models.arch.Vgg;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.onnx.proto.Onnx;
import dev.fineturn.nn.AdaptiveAvgPool2d;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Flatten;
import dev.fineturn.nn.Layer;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a classifier as an ONNX model with its current weights, in inference semantics: logits
 * out, the batch dimension symbolic. It covers the built-in architectures (ResNet, MobileNetV2,
 * VGG, LeNet, with a linear or MLP head) and imported graph models, the nodes they were imported
 * from included (a residual Add, Concat, Reshape ...). The graph takes preprocessed input, laid out
 * as the model's source framework lays it out; metadata records both. A layer without an ONNX
 * counterpart fails with an error naming it.
 */
public final class OnnxExport {
    /** The opset written, unless copied imported nodes come from a newer one. */
    static final int MIN_OPSET = 13;
    /**
     * Metadata entry that records the model's input convention ({@link dev.fineturn.data.Preprocessing}
     * syntax): the exported graph takes preprocessed input, and the importer reads the entry back.
     */
    public static final String PREPROCESS_KEY = "fineturn.preprocess";
    /** Metadata entry that records the input layout, NCHW or NHWC. */
    public static final String LAYOUT_KEY = "fineturn.layout";

    private OnnxExport() {
    }

    /**
     * Writes {@code model} for {@code height x width} images, laid out as its source framework
     * does (an imported Keras or TF.js graph: NHWC; everything else NCHW); atomically.
     */
    public static void write(Classifier model, int height, int width, Path file) throws IOException {
        write(model, height, width, model instanceof GraphModel g ? g.sourceLayout() : GraphModel.Layout.NCHW, file);
    }

    /**
     * Writes {@code model} for {@code height x width} images in {@code layout}: for NHWC the graph
     * starts with a Transpose to NCHW. Atomically.
     */
    public static void write(Classifier model, int height, int width, GraphModel.Layout layout, Path file)
            throws IOException {
        Onnx.ModelProto proto = toProto(model, height, width, layout);
        AtomicFiles.write(file, proto::writeTo);
    }

    /** The ONNX model of {@code model}, as {@link #write(Classifier, int, int, GraphModel.Layout, Path)} writes it. */
    public static Onnx.ModelProto toProto(Classifier model, int height, int width, GraphModel.Layout layout) {
        dev.fineturn.models.format.OptionalModules.require(dev.fineturn.models.format.OptionalModules.PROTOBUF,
                "ONNX export");
        ExportGraph g = new ExportGraph();
        ModuleExport export = new ModuleExport(g);
        int c = model.inputChannels();
        String inputName = model instanceof GraphModel gm ? gm.inputName() : "input";
        Tensor probe = Tensor.zeros(model.parameters().get(0).backend(), 1, c, height, width);
        boolean training = model.isTraining();
        model.eval();
        ModuleExport.Traced out;
        try (var noGrad = GradMode.noGrad()) {
            g.fresh(inputName);
            ModuleExport.Traced x;
            if (layout == GraphModel.Layout.NHWC) {
                g.graph.addInput(ExportGraph.valueInfo(inputName, null, height, width, c));
                x = new ModuleExport.Traced(g.op(inputName + "_nchw", "Transpose", List.of(inputName),
                        ExportGraph.ints("perm", 0, 3, 1, 2)), probe);
            } else {
                g.graph.addInput(ExportGraph.valueInfo(inputName, null, c, height, width));
                x = new ModuleExport.Traced(inputName, probe);
            }
            out = body(export, model, x);
        } finally {
            model.train(training);
        }
        g.graph.addOutput(ExportGraph.valueInfo(out.name(), null, model.numClasses()));
        int opset = export.opset();
        return Onnx.ModelProto.newBuilder().setIrVersion(irVersion(opset)).setProducerName("fineturn")
                .setProducerVersion("0.1.0").addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(opset))
                .setGraph(g.graph)
                .addMetadataProps(Onnx.StringStringEntryProto.newBuilder().setKey(PREPROCESS_KEY)
                        .setValue(model.preprocessing().spec()))
                .addMetadataProps(Onnx.StringStringEntryProto.newBuilder().setKey(LAYOUT_KEY)
                        .setValue(layout.name()))
                .build();
    }

    /** The network after preprocessing, as the classifier's forward pass composes it. */
    private static ModuleExport.Traced body(ModuleExport e, Classifier model, ModuleExport.Traced x) {
        Layer flatten = new Flatten(1);
        return switch (model) {
            case GraphModel gm -> graph(e, gm, x);
            case ResNet r -> chain(e, r, x, "conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3",
                    "layer4", "avgpool", flatten, "fc");
            case MobileNetV2 m -> chain(e, m, x, "features", new AdaptiveAvgPool2d(1), flatten, "classifier");
            case Vgg v -> chain(e, v, x, "features", "avgpool", flatten, "classifier");
            case LeNet l -> chain(e, l, x, "features", flatten, "classifier");
            default -> throw new IllegalArgumentException("ONNX export: " + model.getClass().getSimpleName()
                    + " is neither a built-in architecture nor a graph model, so its forward pass is not known here");
        };
    }

    /** Children by name, or helper layers (named after their kind), applied in order. */
    private static ModuleExport.Traced chain(ModuleExport e, Classifier model, ModuleExport.Traced x,
                                             Object... steps) {
        ModuleExport.Traced y = x;
        for (Object step : steps) {
            y = step instanceof String name ? e.emit(model.module(name), name, y)
                    : e.emit((Layer) step, step instanceof Flatten ? "flatten" : "pool", y);
        }
        return y;
    }

    private static ModuleExport.Traced graph(ModuleExport e, GraphModel model, ModuleExport.Traced x) {
        Set<String> needed = new HashSet<>(List.of(model.headPath()));
        List<GraphModel.Node> nodes = model.nodes();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            if (needed.contains(nodes.get(i).name())) {
                needed.addAll(nodes.get(i).inputs());
            }
        }
        Map<String, ModuleExport.Traced> values = new HashMap<>();
        values.put(model.inputName(), x);
        for (GraphModel.Node node : nodes) {
            if (!needed.contains(node.name())) {
                continue;
            }
            List<ModuleExport.Traced> ins = new ArrayList<>();
            for (String in : node.inputs()) {
                ins.add(values.get(in));
            }
            values.put(node.name(), e.emitNode(model.children().get(node.name()), node.name(), ins));
        }
        return values.get(model.headPath());
    }

    /** The oldest IR version that carries {@code opset}. */
    private static long irVersion(int opset) {
        return opset <= 14 ? 7 : opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
    }
}
