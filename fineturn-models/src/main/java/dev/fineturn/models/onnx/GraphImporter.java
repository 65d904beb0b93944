package dev.fineturn.models.onnx;

import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.onnx.proto.Onnx;
import dev.fineturn.nn.Layer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns an ONNX graph into {@link Program} steps, node by node in the file's (topological) order.
 * Shape arithmetic on constants is folded at load time; every other operator becomes a step.
 */
final class GraphImporter {
    private static final Map<String, Converter> CONVERTERS = Converters.all();

    private final OnnxFile file;
    private final int opset;
    private final long declaredBatch;
    private final Map<String, Value> values = new HashMap<>();
    private final List<Program.Step> steps = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final Map<String, List<Onnx.NodeProto>> consumers = new HashMap<>();
    private final Set<String> graphOutputs = new HashSet<>();
    private final Map<Onnx.NodeProto, Value> absorbed = new IdentityHashMap<>();
    private final Map<String, String> inputNames = new LinkedHashMap<>();

    /**
     * @param bindings      each graph input's value: a constant, or a run-time shape
     * @param declaredBatch the batch size the file declares for the image input, or -1
     */
    GraphImporter(OnnxFile file, Map<String, Object> bindings, long declaredBatch) throws WeightFormatException {
        this.file = file;
        this.opset = file.opset();
        this.declaredBatch = declaredBatch;
        Onnx.GraphProto g = file.model.getGraph();
        for (Map.Entry<String, OnnxTensor> e : file.initializers.entrySet()) {
            values.put(e.getKey(), new Value.Const(e.getValue()));
        }
        for (Map.Entry<String, Object> b : bindings.entrySet()) {
            if (b.getValue() instanceof OnnxTensor t) {
                values.put(b.getKey(), new Value.Const(t));
            } else {
                String name = unique(b.getKey());
                inputNames.put(b.getKey(), name);
                values.put(b.getKey(), new Value.Runtime(name, (long[]) b.getValue(), null));
            }
        }
        for (Onnx.NodeProto n : g.getNodeList()) {
            for (String in : n.getInputList()) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            }
        }
        for (Onnx.ValueInfoProto o : g.getOutputList()) {
            graphOutputs.add(o.getName());
        }
    }

    Path source() {
        return file.path;
    }

    long declaredBatch() {
        return declaredBatch;
    }

    /** Graph input name to the sanitised name its run-time tensor has in the program. */
    Map<String, String> inputNames() {
        return inputNames;
    }

    Program program() {
        return new Program(List.copyOf(steps));
    }

    void importAll() throws WeightFormatException {
        for (Onnx.NodeProto n : file.model.getGraph().getNodeList()) {
            Value done = absorbed.get(n);
            if (done != null) {
                define(n.getOutput(0), done);
                continue;
            }
            importNode(n);
        }
    }

    private void importNode(Onnx.NodeProto n) throws WeightFormatException {
        String label = n.getName().isEmpty() ? (n.getOutputCount() > 0 ? n.getOutput(0) : "?") : n.getName();
        String where = "node '" + label + "' (" + n.getOpType() + ")";
        if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
            throw new UnsupportedOnnxException(file.path, where + ": operator domain '" + n.getDomain()
                    + "' is not supported");
        }
        if (n.getOutputCount() == 0 || n.getOutput(0).isEmpty()) {
            throw new WeightFormatException(file.path, where + " has no output");
        }
        OpContext c = new OpContext(this, n, opset, where);
        Value out;
        try {
            OnnxTensor folded = ConstantFolder.fold(c);
            if (folded != null) {
                out = new Value.Const(folded);
            } else {
                Converter conv = CONVERTERS.get(n.getOpType());
                if (conv == null) {
                    throw new UnsupportedOnnxException(file.path, where + ": operator " + n.getOpType()
                            + (n.getOpType().equals("ConstantOfShape") ? " is only supported on a constant shape"
                            : " is not supported"));
                }
                out = conv.convert(c);
                c.recordOrigin(out);
            }
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new WeightFormatException(file.path, where + ": " + e.getMessage(), e);
        }
        define(n.getOutput(0), out);
        for (int k = 1; k < n.getOutputCount(); k++) {
            String name = n.getOutput(k);
            if (name.isEmpty()) {
                continue;
            }
            if (c.extraOutput(k) != null) {
                define(name, c.extraOutput(k));
            } else if (consumers.containsKey(name) || graphOutputs.contains(name)) {
                throw new UnsupportedOnnxException(file.path, where + ": output " + k + " ('" + name
                        + "') is not supported");
            }
        }
    }

    private void define(String name, Value v) {
        values.put(name, v);
    }

    Value value(String name, String where) throws WeightFormatException {
        Value v = values.get(name);
        if (v == null) {
            throw new WeightFormatException(file.path, where + " reads '" + name
                    + "', which no graph input, initializer or earlier node defines");
        }
        return v;
    }

    /** The value defined so far under {@code name}, or null. */
    Value find(String name) {
        return values.get(name);
    }

    /** The value of a graph output after {@link #importAll}. */
    Value output(String name) throws WeightFormatException {
        return value(name, "graph output");
    }

    List<Onnx.NodeProto> consumers(String valueName) {
        return consumers.getOrDefault(valueName, List.of());
    }

    boolean isGraphOutput(String valueName) {
        return graphOutputs.contains(valueName);
    }

    /**
     * Makes {@code transpose}, which turns the channels-last graph input {@code input} into NCHW,
     * stand for the input itself: the program then takes NCHW batches.
     */
    void inputIsTransposed(String input, Onnx.NodeProto transpose) {
        absorbed.put(transpose, values.get(input));
    }

    void absorb(Onnx.NodeProto later, Value v) {
        absorbed.put(later, v);
    }

    Value.Runtime emit(Onnx.NodeProto node, Layer module, List<Value.Runtime> inputs, long[] shape) {
        String label = node.getName().isEmpty() ? node.getOutput(0) : node.getName();
        String name = unique(label);
        steps.add(new Program.Step(name, module, inputs.stream().map(Value.Runtime::node).toList()));
        return new Value.Runtime(name, shape, module);
    }

    /** A sanitised name not used yet: torch's "/features/features.0/Conv" becomes "features_features_0_Conv". */
    private String unique(String label) {
        String base = GraphModel.sanitize(label.replaceFirst("^/+", ""));
        String name = base;
        for (int k = 2; !names.add(name); k++) {
            name = base + "_" + k;
        }
        return name;
    }
}
