package dev.fineturn.models.onnx;

import dev.fineturn.data.Preprocessing;

import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.onnx.proto.Onnx;
import dev.fineturn.nn.Init;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX model file. {@link #load} imports an image classifier (NCHW input, ending in a Gemm or
 * MatMul layer, optionally followed by Softmax) as a trainable {@link GraphModel} whose head can be
 * replaced; {@link #evaluate} runs any graph of the supported operators, e.g. ONNX's own operator
 * tests. Problems with the file, including unsupported operators, are {@link WeightFormatException}s
 * naming the file, and the node where they arise.
 */
public final class OnnxModel {
    private final OnnxFile file;

    private OnnxModel(OnnxFile file) {
        this.file = file;
    }

    /** Reads and checks the file and its weights (external data included). */
    public static OnnxModel open(Path file) throws IOException {
        dev.fineturn.models.format.OptionalModules.require(dev.fineturn.models.format.OptionalModules.PROTOBUF,
                "reading ONNX (" + file + ")");
        return new OnnxModel(OnnxFile.read(file));
    }

    /** Reads an image classifier as a trainable graph model, in eval mode. */
    public static GraphModel load(Path file) throws IOException {
        return open(file).toGraphModel();
    }

    public Path path() {
        return file.path;
    }

    public int opset() throws WeightFormatException {
        return file.opset();
    }

    /** Which tool wrote the file, e.g. "pytorch 1.13.0". */
    public String producer() {
        return (file.model.getProducerName() + " " + file.model.getProducerVersion()).trim();
    }

    /** The graph inputs to be fed (those without an initializer). */
    public List<String> inputNames() {
        return file.model.getGraph().getInputList().stream().map(Onnx.ValueInfoProto::getName)
                .filter(n -> !file.initializers.containsKey(n)).toList();
    }

    public List<String> outputNames() {
        return file.model.getGraph().getOutputList().stream().map(Onnx.ValueInfoProto::getName).toList();
    }

    /** The operator types the graph uses, in order of first use. */
    public List<String> operators() {
        return file.model.getGraph().getNodeList().stream().map(Onnx.NodeProto::getOpType).distinct().toList();
    }

    /** An input's declared shape, -1 where it is symbolic or unknown; null when none is declared. */
    public long[] inputShape(String name) {
        for (Onnx.ValueInfoProto v : file.model.getGraph().getInputList()) {
            if (v.getName().equals(name) && v.getType().getTensorType().hasShape()) {
                return v.getType().getTensorType().getShape().getDimList().stream()
                        .mapToLong(d -> d.hasDimValue() && d.getDimValue() > 0 ? d.getDimValue() : -1).toArray();
            }
        }
        return null;
    }

    public GraphModel toGraphModel() throws WeightFormatException {
        checkSignature();
        List<String> inputs = inputNames();
        if (inputs.size() != 1) {
            throw new UnsupportedOnnxException(file.path, "an image classifier has one input, this graph has "
                    + inputs.size() + ": " + inputs);
        }
        String input = inputs.get(0);
        long[] declared = inputShape(input);
        Onnx.NodeProto toNchw = channelsLastEntry(input, declared);
        if (toNchw != null) {
            declared = new long[]{declared[0], declared[3], declared[1], declared[2]};
        }
        if (declared == null || declared.length != 4 || declared[1] < 1 || declared[1] > Integer.MAX_VALUE) {
            throw new UnsupportedOnnxException(file.path, "input '" + input + "' must be declared as an NCHW image"
                    + " [N, C, H, W] with a known channel count, got "
                    + (declared == null ? "no shape" : java.util.Arrays.toString(declared)));
        }
        if (outputNames().size() != 1) {
            throw new UnsupportedOnnxException(file.path, "a classifier has one output, this graph has "
                    + outputNames().size() + ": " + outputNames());
        }
        long[] shape = {Dims.BATCH, declared[1], declared[2] > 0 ? declared[2] : Dims.UNKNOWN,
                declared[3] > 0 ? declared[3] : Dims.UNKNOWN};
        GraphImporter importer = new GraphImporter(file, Map.of(input, shape), declared[0]);
        if (toNchw != null) {
            importer.inputIsTransposed(input, toNchw);
        }
        importer.importAll();
        GraphModel g = ClassifierBuilder.build(file.path, importer.program(), importer.inputNames().get(input),
                (int) declared[1], importer.output(outputNames().get(0)),
                toNchw != null ? GraphModel.Layout.NHWC : GraphModel.Layout.NCHW);
        g.setPreprocessing(preprocessing());
        if (file.path != null) {
            g.setOrigin(dev.fineturn.models.graph.Origin.files("onnx", List.of(file.path), externalFiles()));
        }
        return g;
    }

    /** The external data files the initializers name, relative to the model file. */
    private List<String> externalFiles() {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (Onnx.TensorProto t : file.model.getGraph().getInitializerList()) {
            if (t.getDataLocation() == Onnx.TensorProto.DataLocation.EXTERNAL) {
                t.getExternalDataList().stream().filter(e -> e.getKey().equals("location"))
                        .forEach(e -> out.add(e.getValue()));
            }
        }
        return List.copyOf(out);
    }

    /**
     * For a channels-last image input [N, H, W, C] whose only reader is a Transpose to NCHW (as
     * fineturn writes NHWC models, and as converters from TensorFlow do): that Transpose; else null.
     */
    private Onnx.NodeProto channelsLastEntry(String input, long[] declared) {
        if (declared == null || declared.length != 4) {
            return null;
        }
        List<Onnx.NodeProto> readers = file.model.getGraph().getNodeList().stream()
                .filter(n -> n.getInputList().contains(input)).toList();
        if (readers.size() != 1 || !readers.get(0).getOpType().equals("Transpose")) {
            return null;
        }
        for (Onnx.AttributeProto a : readers.get(0).getAttributeList()) {
            if (a.getName().equals("perm") && a.getIntsList().equals(List.of(0L, 3L, 1L, 2L))) {
                return readers.get(0);
            }
        }
        return null;
    }

    /**
     * The input convention the file declares in its metadata: fineturn's own
     * {@code fineturn.preprocess} entry ({@link Preprocessing#parse} syntax), or Windows ML's
     * {@code Image.NominalPixelRange} ({@code Normalized_0_1}, {@code Normalized_1_1},
     * {@code NominalRange_0_255}); pixels in [0, 1] when it declares none.
     */
    public Preprocessing preprocessing() throws UnsupportedOnnxException {
        Map<String, String> meta = new LinkedHashMap<>();
        file.model.getMetadataPropsList().forEach(p -> meta.put(p.getKey(), p.getValue()));
        String own = meta.get(OnnxExport.PREPROCESS_KEY);
        if (own != null) {
            try {
                return Preprocessing.parse(own);
            } catch (IllegalArgumentException e) {
                throw new UnsupportedOnnxException(file.path, "metadata " + OnnxExport.PREPROCESS_KEY + ": "
                        + e.getMessage());
            }
        }
        return switch (meta.getOrDefault("Image.NominalPixelRange", "")) {
            case "Normalized_1_1" -> Preprocessing.TF;
            case "NominalRange_0_255" -> new Preprocessing("0-255", new float[]{0f}, new float[]{1f / 255f}, false);
            default -> Preprocessing.NONE;
        };
    }

    /** Runs the graph: float inputs go through fineturn's operators, integer inputs are folded as constants. */
    public Map<String, OnnxTensor> evaluate(Map<String, OnnxTensor> inputs) throws WeightFormatException {
        return evaluate(inputs, Set.of());
    }

    /**
     * Runs the graph, treating the inputs named in {@code asConstants} like initializers (so that,
     * for example, a Conv whose weight is such an input becomes a trainable layer).
     */
    public Map<String, OnnxTensor> evaluate(Map<String, OnnxTensor> inputs, Set<String> asConstants)
            throws WeightFormatException {
        checkSignature();
        Map<String, Object> bindings = new LinkedHashMap<>();
        Map<String, OnnxTensor> given = new LinkedHashMap<>(inputs);
        for (String name : inputNames()) {
            OnnxTensor t = given.get(name);
            if (t == null) {
                throw new WeightFormatException(file.path, "no value given for input '" + name + "'");
            }
            t = asDeclared(name, t);
            bindings.put(name, asConstants.contains(name) || !t.isReal() ? t : t.shape());
            given.put(name, t);
        }
        Set<String> unknown = new HashSet<>(inputs.keySet());
        unknown.removeAll(bindings.keySet());
        if (!unknown.isEmpty()) {
            throw new WeightFormatException(file.path, "the graph has no inputs " + unknown);
        }
        GraphImporter importer = new GraphImporter(file, bindings, -1);
        importer.importAll();
        Program program = importer.program();
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        importer.inputNames().forEach((onnx, node) -> feeds.put(node, given.get(onnx).toTensor(Init.backend())));
        Map<String, Value> outputs = new LinkedHashMap<>();
        Set<String> targets = new HashSet<>();
        for (String name : outputNames()) {
            Value v = importer.output(name);
            outputs.put(name, v);
            if (v instanceof Value.Runtime r) {
                targets.add(r.node());
            }
        }
        program.steps().forEach(s -> s.module().eval());
        Map<String, Tensor> results;
        try (var g = GradMode.noGrad()) {
            results = program.run(feeds, targets);
        }
        Map<String, OnnxTensor> out = new LinkedHashMap<>();
        outputs.forEach((name, v) -> out.put(name, v instanceof Value.Const k ? k.tensor()
                : OnnxTensor.of(results.get(((Value.Runtime) v).node()))));
        return out;
    }

    /**
     * The input as the graph declares it. 16-bit floats given as UINT16 (how ONNX's tools wrote
     * them) are taken bit for bit; other type mismatches are errors.
     */
    private OnnxTensor asDeclared(String name, OnnxTensor t) throws WeightFormatException {
        DataType declared = null;
        for (Onnx.ValueInfoProto v : file.model.getGraph().getInputList()) {
            if (v.getName().equals(name) && v.getType().getTensorType().hasElemType()) {
                declared = DataType.of(v.getType().getTensorType().getElemType());
            }
        }
        if (declared == null || declared == t.type()) {
            return t;
        }
        if (t.type() == DataType.UINT16 && (declared == DataType.FLOAT16 || declared == DataType.BFLOAT16)) {
            long[] bits = t.longs();
            float[] v = new float[bits.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = declared == DataType.FLOAT16 ? Float.float16ToFloat((short) bits[i])
                        : Float.intBitsToFloat((int) bits[i] << 16);
            }
            return OnnxTensor.ofReals(declared, t.shape(), v);
        }
        throw new WeightFormatException(file.path, "input '" + name + "' is " + t.type() + ", the graph declares "
                + declared);
    }

    /** Graph inputs and outputs must be tensors (not sequences, maps or optionals). */
    void checkSignature() throws UnsupportedOnnxException {
        Onnx.GraphProto g = file.model.getGraph();
        for (Onnx.ValueInfoProto v : java.util.stream.Stream.concat(g.getInputList().stream(),
                g.getOutputList().stream()).toList()) {
            if (v.hasType() && !v.getType().hasTensorType()) {
                throw new UnsupportedOnnxException(file.path, "graph value '" + v.getName() + "' is a "
                        + v.getType().getValueCase() + ", not a tensor");
            }
        }
    }

    @Override
    public String toString() {
        return "OnnxModel(" + file.path + ", " + producer() + ", inputs " + inputNames() + ", outputs "
                + outputNames() + ")";
    }
}
