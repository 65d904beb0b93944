package dev.fineturn.models.graph;

import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Init;
import dev.fineturn.nn.Linear;
import dev.fineturn.nn.Layer;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A directed acyclic graph of layers, as imported from Keras/TF.js or ONNX: each node applies one
 * module to the outputs of earlier nodes. Nodes are the model's blocks, in topological order, and
 * each node's parameters are named {@code <node>.<param>}. The output node is a {@link Linear}
 * head; {@link #predict} applies the source model's final activation (e.g. softmax) on top of the
 * logits that {@link #forward} returns for training.
 */
public final class GraphModel extends Classifier {
    /** One layer application: the node's name and the names of its inputs. */
    public record Node(String name, List<String> inputs) {
    }

    /** How the source framework lays out an image batch. */
    public enum Layout { NCHW, NHWC }

    private final String inputName;
    private final int inputChannels;
    private final Layout sourceLayout;
    private final List<Node> nodes = new ArrayList<>();
    private String output;
    private String featureNode;
    private OutputActivation outputActivation = OutputActivation.NONE;
    private Layer declaredHead;
    private Origin origin;
    private String cutAt;
    private int probeSize;

    public GraphModel(String inputName, int inputChannels, Layout sourceLayout) {
        this.inputName = sanitize(inputName);
        this.inputChannels = inputChannels;
        this.sourceLayout = sourceLayout;
    }

    /** Node names become module names: letters, digits and underscores only. */
    public static String sanitize(String name) {
        String s = name.replaceAll("[^A-Za-z0-9_]", "_");
        return s.isEmpty() ? "_" : s;
    }

    public GraphModel addNode(String name, Layer module, List<String> inputs) {
        String n = sanitize(name);
        List<String> ins = inputs.stream().map(GraphModel::sanitize).toList();
        for (String in : ins) {
            if (!in.equals(inputName) && !children().containsKey(in)) {
                throw new IllegalArgumentException("graph: node '" + name + "' reads '" + in
                        + "', which is not defined before it");
            }
        }
        if (ins.size() != 1 && !(module instanceof MultiInput)) {
            throw new IllegalArgumentException("graph: node '" + name + "' (" + module + ") takes one input, got "
                    + ins.size());
        }
        registerModule(n, module);
        nodes.add(new Node(n, ins));
        return this;
    }

    /**
     * Declares the output: a {@link Linear} node (the head) and the activation the source applied
     * after it.
     */
    public GraphModel setOutput(String nodeName, OutputActivation activation) {
        String n = sanitize(nodeName);
        Node node = nodes.stream().filter(x -> x.name().equals(n)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("graph: no output node '" + nodeName + "'"));
        if (!(children().get(n) instanceof Linear)) {
            throw new IllegalArgumentException("graph: the output node '" + nodeName + "' is "
                    + children().get(n) + ", not a fully connected (Dense/Gemm) layer, so it has no replaceable head");
        }
        this.output = n;
        this.declaredHead = children().get(n);
        this.featureNode = node.inputs().get(0);
        this.outputActivation = activation;
        return this;
    }

    /** Where the graph was imported from; null for a graph built in code. */
    public Origin origin() {
        return origin;
    }

    /** Records where the graph was imported from (importers do). */
    public GraphModel setOrigin(Origin origin) {
        this.origin = origin;
        return this;
    }

    /** The node this graph was cut at by {@link #truncate}, or null. */
    public String cutAt() {
        return cutAt;
    }

    /** The probe size given to the {@link #truncate} that made this graph (0 when not cut). */
    public int probeSize() {
        return probeSize;
    }

    /** Whether the head is no longer the one the graph was built with (see {@link #replaceHead}). */
    public boolean headReplaced() {
        return output != null && headBlock() != declaredHead;
    }

    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    public Layout sourceLayout() {
        return sourceLayout;
    }

    public OutputActivation outputActivation() {
        return outputActivation;
    }

    public String inputName() {
        return inputName;
    }

    @Override
    public String headPath() {
        requireOutput();
        return output;
    }

    @Override
    public int inputChannels() {
        return inputChannels;
    }

    private void requireOutput() {
        if (output == null) {
            throw new IllegalStateException("graph: no output node declared");
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        requireOutput();
        return run(preprocessing().apply(x), List.of(output)).get(output);
    }

    @Override
    protected Tensor backbone(Tensor x) {
        requireOutput();
        Tensor f = featureNode.equals(inputName) ? x : run(x, List.of(featureNode)).get(featureNode);
        return f.rank() == 2 ? f : f.flatten(1);
    }

    /** What the source model outputs: logits through its final activation. */
    public Tensor predict(Tensor x) {
        return outputActivation.apply(forward(x));
    }

    /**
     * The output of one node (NCHW) for images with pixels in [0, 1], e.g. to compare activations
     * or show feature maps; the input node gives the preprocessed input.
     */
    public Tensor activation(Tensor x, String nodeName) {
        String n = sanitize(nodeName);
        Tensor in = preprocessing().apply(x);
        if (n.equals(inputName)) {
            return in;
        }
        if (!children().containsKey(n)) {
            throw new IllegalArgumentException("graph: no node '" + nodeName + "'");
        }
        return run(in, List.of(n)).get(n);
    }

    /** The output shape of every node for input {@code x} (one pass, no graph recorded). */
    public Map<String, int[]> nodeShapes(Tensor x) {
        Map<String, int[]> out = new LinkedHashMap<>();
        out.put(inputName, x.shape());
        try (var g = GradMode.noGrad()) {
            List<String> all = nodes.stream().map(Node::name).toList();
            run(x, all).forEach((k, v) -> out.put(k, v.shape()));
        }
        return out;
    }

    /**
     * The output shapes of the first {@code count} nodes for input {@code x} (one pass, no graph
     * recorded), for when later nodes do not fit the input, e.g. a fixed-size pooling at the top.
     */
    public Map<String, int[]> nodeShapes(Tensor x, int count) {
        Map<String, int[]> out = new LinkedHashMap<>();
        try (var g = GradMode.noGrad()) {
            List<String> first = nodes.subList(0, count).stream().map(Node::name).toList();
            run(preprocessing().apply(x), first).forEach((k, v) -> out.put(k, v.shape()));
        }
        return out;
    }

    /** Evaluates nodes in order until every target is known, dropping values no later node reads. */
    private Map<String, Tensor> run(Tensor x, List<String> targets) {
        if (x.rank() == 4 && x.dim(1) != inputChannels) {
            throw new IllegalArgumentException("graph: input has " + x.dim(1) + " channels (shape "
                    + dev.fineturn.tensor.Shape.str(x.shape()) + ", NCHW), the model expects " + inputChannels);
        }
        Set<String> needed = ancestors(targets);
        Map<String, Integer> lastUse = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (String in : nodes.get(i).inputs()) {
                lastUse.put(in, i);
            }
        }
        Map<String, Tensor> values = new HashMap<>();
        values.put(inputName, x);
        Set<String> remaining = new LinkedHashSet<>(targets);
        remaining.remove(inputName);
        for (int i = 0; i < nodes.size() && !remaining.isEmpty(); i++) {
            Node node = nodes.get(i);
            if (!needed.contains(node.name())) {
                continue;
            }
            Layer m = children().get(node.name());
            Tensor y;
            if (m instanceof MultiInput multi) {
                List<Tensor> ins = new ArrayList<>();
                for (String in : node.inputs()) {
                    ins.add(values.get(in));
                }
                y = multi.forward(ins);
            } else {
                y = m.forward(values.get(node.inputs().get(0)));
            }
            values.put(node.name(), y);
            remaining.remove(node.name());
            for (String in : node.inputs()) {
                if (lastUse.getOrDefault(in, -1) <= i && !targets.contains(in)) {
                    values.remove(in);
                }
            }
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String t : targets) {
            out.put(t, values.get(t));
        }
        return out;
    }

    private Set<String> ancestors(List<String> targets) {
        Map<String, Node> byName = new HashMap<>();
        for (Node n : nodes) {
            byName.put(n.name(), n);
        }
        Set<String> seen = new LinkedHashSet<>();
        ArrayList<String> stack = new ArrayList<>(targets);
        while (!stack.isEmpty()) {
            String s = stack.remove(stack.size() - 1);
            if (!seen.add(s)) {
                continue;
            }
            Node n = byName.get(s);
            if (n != null) {
                stack.addAll(n.inputs());
            }
        }
        return seen;
    }

    /**
     * A new classifier made of this graph up to {@code nodeName} (sharing its layers and weights),
     * then global average pooling and a fresh {@code numClasses} head: transfer from an
     * intermediate layer, where features are often more general than at the top.
     */
    public GraphModel truncate(String nodeName, int numClasses) {
        return truncate(nodeName, numClasses, DEFAULT_PROBE_SIZE);
    }

    /** The probe side {@link #truncate(String, int)} uses: ImageNet's 224. */
    public static final int DEFAULT_PROBE_SIZE = 224;

    /**
     * As {@link #truncate(String, int)}, probing the cut layer with a {@code probeSize} square image.
     *
     * @param probeSize the side of one zero image run through the graph to learn the cut layer's
     *                  channel count (for the new head's input); any size the layers up to the cut
     *                  accept. The truncated model itself takes any input size those layers accept.
     */
    public GraphModel truncate(String nodeName, int numClasses, int probeSize) {
        String cut = sanitize(nodeName);
        if (!children().containsKey(cut)) {
            throw new IllegalArgumentException("graph: cannot cut at unknown node '" + nodeName + "'");
        }
        Set<String> keep = ancestors(List.of(cut));
        GraphModel g = new GraphModel(inputName, inputChannels, sourceLayout);
        for (Node n : nodes) {
            if (keep.contains(n.name())) {
                g.addNode(n.name(), children().get(n.name()), n.inputs());
            }
        }
        int channels;
        try (var s = GradMode.noGrad()) {
            boolean wasTraining = isTraining();
            eval();
            Tensor probe = Tensor.zeros(parameters().get(0).backend(), 1, inputChannels, probeSize, probeSize);
            Tensor out = run(probe, List.of(cut)).get(cut);
            train(wasTraining);
            channels = out.dim(1);
            if (out.rank() == 4) {
                g.addNode(cut + "_pool", new GlobalAvgPool(false), List.of(cut));
                cut = cut + "_pool";
            }
        }
        Linear head = new Linear(channels, numClasses, true, Init.Scheme.HE);
        head.to(parameters().get(0).backend());
        g.addNode("head", head, List.of(cut));
        g.setOutput("head", OutputActivation.NONE);
        g.setPreprocessing(preprocessing());
        g.origin = origin;
        g.cutAt = sanitize(nodeName);
        g.probeSize = probeSize;
        g.train(isTraining());
        return g;
    }
}
