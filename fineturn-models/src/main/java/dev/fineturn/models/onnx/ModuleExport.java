package dev.fineturn.models.onnx;

import dev.fineturn.models.arch.AdaptiveAveragePool;
import dev.fineturn.models.arch.BasicBlock;
import dev.fineturn.models.arch.Bottleneck;
import dev.fineturn.models.arch.InvertedResidual;
import dev.fineturn.models.graph.ChannelsLastFlatten;
import dev.fineturn.models.graph.GlobalAvgPool;
import dev.fineturn.models.graph.Merge;
import dev.fineturn.models.graph.MultiInput;
import dev.fineturn.models.graph.Pool2d;
import dev.fineturn.models.graph.SameConv2d;
import dev.fineturn.models.graph.Unary;
import dev.fineturn.models.onnx.proto.Onnx;
import dev.fineturn.nn.Activation;
import dev.fineturn.nn.AdaptiveAvgPool2d;
import dev.fineturn.nn.AvgPool2d;
import dev.fineturn.nn.BatchNorm2d;
import dev.fineturn.nn.Conv2d;
import dev.fineturn.nn.Dropout;
import dev.fineturn.nn.Flatten;
import dev.fineturn.nn.Linear;
import dev.fineturn.nn.MaxPool2d;
import dev.fineturn.nn.Layer;
import dev.fineturn.nn.Residual;
import dev.fineturn.nn.Sequential;
import dev.fineturn.nn.ZeroPad2d;
import dev.fineturn.ops.Conv2dOptions;
import dev.fineturn.tensor.Shape;
import dev.fineturn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.fineturn.models.onnx.ExportGraph.integer;
import static dev.fineturn.models.onnx.ExportGraph.ints;
import static dev.fineturn.models.onnx.ExportGraph.real;

/**
 * Writes modules as ONNX nodes, in inference semantics (batch norm on its running statistics,
 * dropout as the identity). A value travels with a probe tensor of its shape, so layers whose
 * padding depends on the input size ("same" convolutions and pools) get it; composite modules
 * are written through their children, named by their dotted state-dict paths, so that every
 * initializer carries its parameter's state-dict name.
 */
final class ModuleExport {
    /** A graph value: its name and a tensor of its shape. */
    record Traced(String name, Tensor probe) {
        int[] shape() {
            return probe.shape();
        }
    }

    private final ExportGraph g;
    private int opset = OnnxExport.MIN_OPSET;

    ModuleExport(ExportGraph g) {
        this.g = g;
    }

    /** The opset the graph needs: at least {@link OnnxExport#MIN_OPSET}, else that of copied imported nodes. */
    int opset() {
        return opset;
    }

    /** Writes {@code m} applied to {@code x}; {@code path} names it (its state-dict prefix). */
    Traced emit(Layer m, String path, Traced x) {
        return switch (m) {
            case Sequential s -> {
                Traced y = x;
                for (Map.Entry<String, Layer> c : s.children().entrySet()) {
                    y = emit(c.getValue(), join(path, c.getKey()), y);
                }
                yield y;
            }
            case Residual r -> {
                Traced main = emit(r.module("main"), join(path, "main"), x);
                Traced shortcut = r.children().containsKey("shortcut")
                        ? emit(r.module("shortcut"), join(path, "shortcut"), x) : x;
                yield add(path, main, shortcut);
            }
            case BasicBlock b -> {
                Traced y = child(b, path, "relu", child(b, path, "bn1", child(b, path, "conv1", x)));
                y = child(b, path, "bn2", child(b, path, "conv2", y));
                yield child(b, path, "relu", add(path, y, shortcut(b, path, x)));
            }
            case Bottleneck b -> {
                Traced y = child(b, path, "relu", child(b, path, "bn1", child(b, path, "conv1", x)));
                y = child(b, path, "relu", child(b, path, "bn2", child(b, path, "conv2", y)));
                y = child(b, path, "bn3", child(b, path, "conv3", y));
                yield child(b, path, "relu", add(path, y, shortcut(b, path, x)));
            }
            case InvertedResidual b -> {
                Traced y = child(b, path, "conv", x);
                yield b.addsInput() ? add(path, y, x) : y;
            }
            case Dropout d -> x;
            default -> leaf(m, path, x);
        };
    }

    /** Writes a node of a graph model: {@code m} applied to {@code inputs}. */
    Traced emitNode(Layer m, String name, List<Traced> inputs) {
        if (m instanceof Merge merge) {
            String op = switch (merge.kind()) {
                case ADD -> "Add";
                case MULTIPLY -> "Mul";
                case CONCAT -> "Concat";
            };
            String out = merge.kind() == Merge.Kind.CONCAT
                    ? g.op(name, op, names(inputs), integer("axis", merge.axis())) : g.op(name, op, names(inputs));
            return new Traced(out, merge.forward(probes(inputs)));
        }
        if (m instanceof OnnxOp op) {
            return imported(op, name, inputs);
        }
        if (m instanceof MultiInput) {
            throw unsupported(name, m);
        }
        return emit(m, name, inputs.get(0));
    }

    private Traced child(Layer parent, String path, String name, Traced x) {
        return emit(parent.module(name), join(path, name), x);
    }

    private Traced shortcut(Layer block, String path, Traced x) {
        return block.children().containsKey("downsample") ? child(block, path, "downsample", x) : x;
    }

    private Traced add(String path, Traced a, Traced b) {
        return new Traced(g.op(join(path, "add"), "Add", List.of(a.name(), b.name())),
                a.probe().add(b.probe()));
    }

    private Traced leaf(Layer m, String path, Traced x) {
        Tensor y = m.forward(x.probe());
        String in = x.name();
        int[] s = x.shape();
        String out = switch (m) {
            case Conv2d c -> {
                Conv2dOptions o = c.options();
                yield conv(path, in, c, new int[]{o.strideH(), o.strideW()},
                        new int[]{o.dilationH(), o.dilationW()}, o.groups(),
                        new int[]{o.padTop(), o.padLeft(), o.padBottom(), o.padRight()});
            }
            case SameConv2d c -> conv(path, in, c, c.strides(), c.dilations(), c.groups(), c.paddingFor(s[2], s[3]));
            case BatchNorm2d bn -> g.op(path, "BatchNormalization", List.of(in,
                            g.weight(path + ".weight", param(bn, "weight")),
                            g.weight(path + ".bias", param(bn, "bias")),
                            g.weight(path + ".running_mean", bn.namedBuffers().get("running_mean")),
                            g.weight(path + ".running_var", bn.namedBuffers().get("running_var"))),
                    real("epsilon", bn.eps()));
            case Linear l -> {
                if (s.length != 2) {
                    throw new IllegalArgumentException("ONNX export: layer '" + path + "' (Linear) gets a "
                            + Shape.str(s) + " input; only [N, features] is written (as Gemm)");
                }
                List<String> ins = new ArrayList<>(List.of(in, g.weight(path + ".weight", param(l, "weight"))));
                if (l.namedParameters().containsKey("bias")) {
                    ins.add(g.weight(path + ".bias", param(l, "bias")));
                }
                yield g.op(path, "Gemm", ins, integer("transB", 1));
            }
            case Activation a -> activation(path, in, a.kind());
            case Unary u -> unary(path, in, u);
            case MaxPool2d p -> pool(path, in, "MaxPool", p.kernel(), p.stride(), p.padding(), p.ceilMode(), null);
            case AvgPool2d p -> pool(path, in, "AveragePool", p.kernel(), p.stride(), p.padding(), p.ceilMode(),
                    p.countIncludePad());
            case Pool2d p -> {
                int[] pads = p.paddingFor(s[2], s[3]);
                List<Onnx.AttributeProto> a = new ArrayList<>(List.of(ints("kernel_shape", p.kernel()),
                        ints("strides", p.strides()), ints("pads", pads[0], pads[1], pads[2], pads[3]),
                        integer("ceil_mode", p.ceilMode() ? 1 : 0)));
                if (!p.isMax()) {
                    a.add(integer("count_include_pad", p.countIncludePad() ? 1 : 0));
                }
                yield g.op(path, p.isMax() ? "MaxPool" : "AveragePool", List.of(in),
                        a.toArray(Onnx.AttributeProto[]::new));
            }
            case AdaptiveAvgPool2d p -> g.op(path, "GlobalAveragePool", List.of(in));
            case GlobalAvgPool p -> p.keepDims() ? g.op(path, "GlobalAveragePool", List.of(in))
                    : g.op(path, "Flatten", List.of(g.op(path + "_gap", "GlobalAveragePool", List.of(in))),
                    integer("axis", 1));
            case AdaptiveAveragePool p -> adaptive(path, in, s, p.outputSize());
            case Flatten f -> flatten(path, in, f.startDim(), s.length);
            case ChannelsLastFlatten f -> g.op(path, "Flatten", List.of(g.op(path + "_nhwc", "Transpose",
                    List.of(in), ints("perm", 0, 2, 3, 1))), integer("axis", 1));
            case ZeroPad2d z -> {
                int[] p = z.padding();
                yield g.op(path, "Pad", List.of(in, g.longs(path + ".pads", 0, 0, p[0], p[1], 0, 0, p[2], p[3])));
            }
            case OnnxOp op -> imported(op, path, List.of(x)).name();
            default -> throw unsupported(path, m);
        };
        return new Traced(out, y);
    }

    private String conv(String path, String x, Layer c, int[] strides, int[] dil, int groups, int[] pads) {
        Tensor w = param(c, "weight");
        List<String> ins = new ArrayList<>(List.of(x, g.weight(path + ".weight", w)));
        if (c.namedParameters().containsKey("bias")) {
            ins.add(g.weight(path + ".bias", param(c, "bias")));
        }
        return g.op(path, "Conv", ins, ints("kernel_shape", w.dim(2), w.dim(3)), ints("strides", strides),
                ints("dilations", dil), integer("group", groups), ints("pads", pads[0], pads[1], pads[2], pads[3]));
    }

    private String pool(String path, String x, String op, int k, int stride, int pad, boolean ceil,
                        Boolean countIncludePad) {
        List<Onnx.AttributeProto> a = new ArrayList<>(List.of(ints("kernel_shape", k, k), ints("strides", stride,
                stride), ints("pads", pad, pad, pad, pad), integer("ceil_mode", ceil ? 1 : 0)));
        if (countIncludePad != null) {
            a.add(integer("count_include_pad", countIncludePad ? 1 : 0));
        }
        return g.op(path, op, List.of(x), a.toArray(Onnx.AttributeProto[]::new));
    }

    private String activation(String path, String x, Activation.Kind kind) {
        return switch (kind) {
            case RELU -> g.op(path, "Relu", List.of(x));
            case RELU6 -> g.op(path, "Clip", List.of(x, g.scalar(path + ".min", 0f), g.scalar(path + ".max", 6f)));
            case SIGMOID -> g.op(path, "Sigmoid", List.of(x));
            case TANH -> g.op(path, "Tanh", List.of(x));
            case HARD_SIGMOID -> g.op(path, "HardSigmoid", List.of(x), real("alpha", 1f / 6f), real("beta", 0.5f));
            case HARD_SWISH -> g.op(path, "Mul", List.of(x, g.op(path + "_gate", "HardSigmoid", List.of(x),
                    real("alpha", 1f / 6f), real("beta", 0.5f))));
        };
    }

    private String unary(String path, String x, Unary u) {
        return switch (u.kind()) {
            case RELU -> g.op(path, "Relu", List.of(x));
            case LEAKY_RELU -> g.op(path, "LeakyRelu", List.of(x), real("alpha", u.alpha()));
            case CLIP_MAX -> g.op(path, "Clip", List.of(x, g.scalar(path + ".min", 0f),
                    g.scalar(path + ".max", u.alpha())));
            case SIGMOID -> g.op(path, "Sigmoid", List.of(x));
            case TANH -> g.op(path, "Tanh", List.of(x));
            case HARD_SIGMOID -> g.op(path, "HardSigmoid", List.of(x), real("alpha", u.alpha()),
                    real("beta", u.beta()));
            case SOFTMAX -> g.op(path, "Softmax", List.of(x), integer("axis", 1));
            case IDENTITY -> g.op(path, "Identity", List.of(x));
            case HARD_SWISH -> g.op(path, "Mul", List.of(x, g.op(path + "_gate", "HardSigmoid", List.of(x),
                    real("alpha", 1f / 6f), real("beta", 0.5f))));
        };
    }

    /** torch's flatten(start): dimensions before {@code start} kept, the rest folded into one. */
    private String flatten(String path, String x, int start, int rank) {
        int from = start < 0 ? start + rank : start;
        if (from == 1) {
            return g.op(path, "Flatten", List.of(x), integer("axis", 1));
        }
        long[] shape = new long[from + 1];
        shape[from] = -1;
        return g.op(path, "Reshape", List.of(x, g.longs(path + ".shape", shape)));
    }

    /**
     * PyTorch's adaptive average pooling to {@code out}: a plain average pool where the input
     * divides evenly, else one average over each output cell's row range, then column range.
     */
    private String adaptive(String path, String x, int[] s, int[] out) {
        if (s[2] == out[0] && s[3] == out[1]) {
            return g.op(path, "Identity", List.of(x));
        }
        if (s[2] % out[0] == 0 && s[3] % out[1] == 0) {
            int kh = s[2] / out[0];
            int kw = s[3] / out[1];
            return g.op(path, "AveragePool", List.of(x), ints("kernel_shape", kh, kw), ints("strides", kh, kw));
        }
        String rows = adaptiveAlong(path + "_rows", x, 2, s[2], out[0]);
        return adaptiveAlong(path, rows, 3, s[3], out[1]);
    }

    private String adaptiveAlong(String path, String x, int axis, int in, int out) {
        if (in == out) {
            return g.op(path, "Identity", List.of(x));
        }
        List<String> cells = new ArrayList<>();
        for (int i = 0; i < out; i++) {
            int start = (int) ((long) i * in / out);
            int end = (int) (((long) (i + 1) * in + out - 1) / out);
            String cell = g.op(path + "_slice" + i, "Slice", List.of(x, g.longs(path + ".starts" + i, start),
                    g.longs(path + ".ends" + i, end), g.longs(path + ".axes" + i, axis)));
            int[] kernel = axis == 2 ? new int[]{end - start, 1} : new int[]{1, end - start};
            cells.add(g.op(path + "_cell" + i, "AveragePool", List.of(cell), ints("kernel_shape", kernel)));
        }
        return g.op(path, "Concat", cells, integer("axis", axis));
    }

    /** An imported operator written as the ONNX node it came from. */
    private Traced imported(OnnxOp op, String name, List<Traced> inputs) {
        OnnxOp.Origin origin = op.origin();
        if (origin == null) {
            throw new IllegalArgumentException("ONNX export: node '" + name + "' (" + op + ") was composed on import"
                    + " and has no single ONNX counterpart");
        }
        String type = origin.node().getOpType();
        if (origin.opset() < OnnxExport.MIN_OPSET && OpsetChanges.changedAfter(type, origin.opset())) {
            throw new IllegalArgumentException("ONNX export: node '" + name + "' (" + type + " from opset "
                    + origin.opset() + ") has another signature at opset " + OnnxExport.MIN_OPSET);
        }
        opset = Math.max(opset, origin.opset());
        List<String> ins = new ArrayList<>();
        int k = 0;
        for (OnnxOp.Operand operand : origin.operands()) {
            ins.add(switch (operand) {
                case OnnxOp.Operand.Input in -> inputs.get(in.index()).name();
                case OnnxOp.Operand.Constant c -> g.constant(name + ".c" + k, c.value(),
                        staticValues(name, type, k, c.value()));
                case OnnxOp.Operand.Absent a -> "";
            });
            k++;
        }
        while (!ins.isEmpty() && ins.getLast().isEmpty()) {
            ins.removeLast();
        }
        String out = g.copy(name, type, origin.node().getDomain(), ins, origin.node().getAttributeList());
        return new Traced(out, op.forward(probes(inputs)));
    }

    /**
     * An integer constant's values; a batch size folded from the input's shape is only written
     * where ONNX can say "as the input": the leading entry of a Reshape target (0).
     */
    private static long[] staticValues(String name, String type, int operand, OnnxTensor t) {
        if (t.isReal()) {
            return null;
        }
        long[] v = t.longs();
        for (int i = 0; i < v.length; i++) {
            if (Dims.isMarker(v[i])) {
                if (v[i] == Dims.BATCH && type.equals("Reshape") && operand == 1 && i == 0) {
                    v[i] = 0;
                } else {
                    throw new IllegalArgumentException("ONNX export: node '" + name + "' (" + type + ") operand "
                            + operand + " depends on the input's size " + Arrays.toString(Dims.toInts(t.shape()))
                            + ", which the written graph cannot express");
                }
            }
        }
        return v;
    }

    private static Tensor param(Layer m, String name) {
        return m.namedParameters().get(name);
    }

    private static List<String> names(List<Traced> xs) {
        return xs.stream().map(Traced::name).toList();
    }

    private static List<Tensor> probes(List<Traced> xs) {
        return xs.stream().map(Traced::probe).toList();
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static IllegalArgumentException unsupported(String path, Layer m) {
        return new IllegalArgumentException("ONNX export: layer '" + path + "' (" + m + ", "
                + m.getClass().getSimpleName() + ") has no ONNX counterpart in this exporter");
    }
}
