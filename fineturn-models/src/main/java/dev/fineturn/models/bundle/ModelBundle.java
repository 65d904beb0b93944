package dev.fineturn.models.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fineturn.data.Preprocessing;
import dev.fineturn.io.AtomicFiles;
import dev.fineturn.io.NamedTensor;
import dev.fineturn.io.Safetensors;
import dev.fineturn.models.arch.Architectures;
import dev.fineturn.models.arch.LeNet;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.graph.Origin;
import dev.fineturn.models.graph.OutputActivation;
import dev.fineturn.models.keras.KerasH5Model;
import dev.fineturn.models.keras.TfjsLayersModel;
import dev.fineturn.models.onnx.OnnxExport;
import dev.fineturn.models.onnx.OnnxModel;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Init;
import dev.fineturn.nn.MlpHead;
import dev.fineturn.nn.Layer;
import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model folder, the one that {@code fineturn finetune} writes: {@code architecture.json} (how to
 * rebuild the network: a built-in architecture by name, or an imported graph from the copy of its
 * source files in {@code source/}, plus any cut and new head; the input size, channels and layout;
 * the preprocessing; the class names), {@code model.safetensors} (every weight) and
 * {@code model.onnx} (the same network for ONNX runtimes, where every layer has an ONNX
 * counterpart). The folder holds no path outside itself, so it can be moved and shared.
 */
public final class ModelBundle {
    public static final String ARCHITECTURE = "architecture.json";
    public static final String WEIGHTS = "model.safetensors";
    public static final String ONNX = "model.onnx";
    /** The bundled pretrained MobileNetV2's name in a folder's {@code base}. */
    public static final String BUNDLED_MOBILENET = "bundled:mobilenet_v2";
    static final String BUNDLED_RESOURCE = "/dev/fineturn/models/pretrained/mobilenet_v2/model.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Classifier model;
    private final List<String> classNames;
    private final int inputSize;
    private final GraphModel.Layout layout;
    private final OutputActivation outputActivation;
    private final String architecture;
    private final String source;

    private ModelBundle(Classifier model, List<String> classNames, int inputSize, GraphModel.Layout layout,
                        OutputActivation outputActivation, String architecture, String source) {
        this.model = model;
        this.classNames = List.copyOf(classNames);
        this.inputSize = inputSize;
        this.layout = layout;
        this.outputActivation = outputActivation;
        this.architecture = architecture;
        this.source = source;
    }

    /** What {@link #save} wrote. */
    public record Saved(Path dir, Path onnx, String onnxProblem) {
        /** The ONNX file, or why none was written. */
        public String onnxStatus() {
            return onnx != null ? onnx.toString() : "not written: " + onnxProblem;
        }
    }

    /** The network, its weights loaded, in eval mode. */
    public Classifier model() {
        return model;
    }

    public List<String> classNames() {
        return classNames;
    }

    /** The image side length the model was fine-tuned at. */
    public int inputSize() {
        return inputSize;
    }

    /** How a batch fed to the model from outside is laid out (the model itself computes in NCHW). */
    public GraphModel.Layout layout() {
        return layout;
    }

    /** What the source model applied after its logits (softmax, sigmoid or nothing). */
    public OutputActivation outputActivation() {
        return outputActivation;
    }

    /** The architecture's name ("resnet18", ...) or "graph" for an imported graph. */
    public String architecture() {
        return architecture;
    }

    /**
     * Where the network comes from, absolute: an architecture ({@code arch:resnet18}), the bundled
     * model, or the source file inside the folder ({@code tfjs:/.../source/model.json}).
     */
    public String source() {
        return source;
    }

    // ---- saving ----------------------------------------------------------------------------------

    /** Saves {@code model} with class names "0", "1", ... and its architecture's usual input size. */
    public static Saved save(Classifier model, Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < model.numClasses(); i++) {
            names.add(Integer.toString(i));
        }
        return save(model, dir, names, model instanceof LeNet ? 28 : 224, Map.of());
    }

    /**
     * Saves {@code model} into {@code dir} (created when missing; files of the same names are
     * replaced, each atomically). {@code extra} entries are added to architecture.json as notes.
     *
     * @throws IllegalArgumentException when the model can be rebuilt from nothing fineturn knows: neither a
     *                                  built-in architecture in its standard configuration nor an imported graph
     */
    public static Saved save(Classifier model, Path dir, List<String> classNames, int inputSize,
                             Map<String, String> extra) throws IOException {
        if (classNames.size() != model.numClasses()) {
            throw new IllegalArgumentException("ModelBundle.save: " + classNames.size() + " class names for a model "
                    + "with " + model.numClasses() + " outputs");
        }
        ObjectNode r = describe(model);
        Files.createDirectories(dir);
        extra.forEach(r::put);
        if (model instanceof GraphModel g && g.origin().resource() == null) {
            r.put("base", g.origin().format() + ":" + String.join(";", SourceCopy.copy(g.origin(), dir)));
        }
        GraphModel.Layout layout = GraphModel.Layout.valueOf(r.get("inputLayout").asText());
        r.put("inputSize", inputSize);
        var names = r.putArray("classes");
        classNames.forEach(names::add);
        List<NamedTensor> ts = new ArrayList<>();
        model.stateDict().forEach((k, v) -> ts.add(NamedTensor.of(k, v)));
        Safetensors.write(dir.resolve(WEIGHTS), ts, Map.of("format", "fineturn"));
        Path onnx = dir.resolve(ONNX);
        String problem = null;
        try {
            dev.fineturn.models.format.OptionalModules.require(dev.fineturn.models.format.OptionalModules.PROTOBUF,
                    "ONNX export");
            OnnxExport.write(model, inputSize, inputSize, layout, onnx);
            r.put("onnx", ONNX);
        } catch (IllegalArgumentException | IllegalStateException e) {
            problem = e.getMessage();
            Files.deleteIfExists(onnx);
        }
        AtomicFiles.write(dir.resolve(ARCHITECTURE), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(r));
        return new Saved(dir, problem == null ? onnx : null, problem);
    }

    /**
     * How {@code model} is rebuilt: its architecture, or its graph's source (files by absolute
     * path), cut and head; its input channels and layout, preprocessing and output activation.
     */
    public static ObjectNode describe(Classifier model) {
        ObjectNode r = JSON.createObjectNode();
        r.put("format", "fineturn");
        GraphModel.Layout layout = GraphModel.Layout.NCHW;
        OutputActivation activation = OutputActivation.NONE;
        boolean newHead = true;
        String arch = Architectures.nameOf(model);
        if (arch != null) {
            r.put("architecture", arch).put("base", "arch:" + arch);
        } else if (model instanceof GraphModel g && g.origin() != null) {
            Origin o = g.origin();
            r.put("architecture", "graph").put("base", o.resource() != null
                    ? o.resource().equals(BUNDLED_RESOURCE) ? BUNDLED_MOBILENET : "resource:" + o.resource()
                    : o.format() + ":" + String.join(";", o.entries().stream().map(Path::toString).toList()));
            if (g.cutAt() != null) {
                r.put("cut", g.cutAt()).put("probeSize", g.probeSize());
            }
            newHead = g.cutAt() != null || g.headReplaced();
            activation = newHead ? OutputActivation.NONE : g.outputActivation();
            layout = g.sourceLayout();
        } else {
            throw new IllegalArgumentException("ModelBundle: cannot record how to rebuild this "
                    + model.getClass().getSimpleName() + ": only the built-in architectures " + Architectures.names()
                    + " in their standard configuration and imported graphs (TF.js, Keras, ONNX) can be saved");
        }
        r.put("newHead", newHead);
        if (model.headBlock() instanceof MlpHead mlp) {
            r.put("headHidden", mlp.hidden());
        }
        r.put("numClasses", model.numClasses());
        r.put("preprocess", model.preprocessing().spec());
        r.put("inputChannels", model.inputChannels()).put("inputLayout", layout.name());
        r.put("outputActivation", activation.name().toLowerCase(java.util.Locale.ROOT));
        return r;
    }

    /**
     * A fresh network built as {@code model} was: the same architecture and head shape, or its
     * graph imported again from the same source with the same cut, on {@code backend}. Its weights
     * are its source's (or freshly drawn), not {@code model}'s: for copies that are then given weights.
     */
    public static Classifier rebuild(Classifier model, Backend backend) throws IOException {
        return build(describe(model), Path.of(""), backend).model();
    }

    /**
     * A fresh network built from a {@link #describe description}, for example in another JVM that
     * received it as text; its weights are its source's, for the caller to replace.
     */
    public static Classifier rebuild(JsonNode description, Backend backend) throws IOException {
        return build(description, Path.of(""), backend).model();
    }

    // ---- loading ---------------------------------------------------------------------------------

    /** Loads a model folder onto the default backend ({@link Init#backend()}). */
    public static ModelBundle load(Path dir) throws IOException {
        return load(dir, Init.backend());
    }

    public static ModelBundle load(Path dir, Backend backend) throws IOException {
        Path file = dir.resolve(ARCHITECTURE);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such file; not a fineturn model folder");
        }
        JsonNode r = JSON.readTree(file.toFile());
        if (!r.hasNonNull("base")) {
            throw new IOException(file + ": not a fineturn architecture file (no \"base\")");
        }
        Built b = build(r, dir, backend);
        Classifier m = b.model();
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (NamedTensor t : Safetensors.read(dir.resolve(WEIGHTS)).tensors()) {
            state.put(t.name(), t.toTensor(backend));
        }
        Layer.LoadResult loaded = m.loadStateDict(state, true);
        if (!loaded.isComplete()) {
            throw new IOException(dir + ": weights do not fit the architecture: " + loaded);
        }
        m.eval();
        List<String> names = new ArrayList<>();
        r.path("classes").forEach(v -> names.add(v.asText()));
        int size = r.path("inputSize").asInt(m instanceof LeNet ? 28 : 224);
        String arch = r.path("architecture").asText(m instanceof GraphModel ? "graph" : Architectures.nameOf(m));
        return new ModelBundle(m, names, size, b.layout(), b.activation(), arch, b.source());
    }

    /** A network rebuilt from a recipe, before its weights are loaded. */
    private record Built(Classifier model, GraphModel.Layout layout, OutputActivation activation, String source) {
    }

    /** Builds the network a recipe describes; relative source paths are inside {@code dir}. */
    private static Built build(JsonNode r, Path dir, Backend backend) throws IOException {
        Base base = Base.open(r.get("base").asText(), dir);
        Classifier m = base.model();
        if (r.hasNonNull("preprocess")) {
            m.setPreprocessing(Preprocessing.parse(r.get("preprocess").asText()));
        }
        int classes = r.path("numClasses").asInt(m.numClasses());
        boolean replaced = false;
        if (r.hasNonNull("cut")) {
            if (!(m instanceof GraphModel g)) {
                throw new IOException(dir.resolve(ARCHITECTURE) + ": a cut at '" + r.get("cut").asText()
                        + "' needs an imported graph");
            }
            m = g.truncate(r.get("cut").asText(), classes, r.path("probeSize").asInt(64));
            replaced = true;
        } else if (r.path("newHead").asBoolean(false)) {
            m.replaceHead(classes);
            replaced = true;
        }
        int hidden = r.path("headHidden").asInt(0);
        if (hidden > 0) {
            m.replaceHeadWithMlp(classes, hidden, Init.Scheme.HE);
        }
        m.to(backend);
        GraphModel.Layout layout = r.hasNonNull("inputLayout")
                ? GraphModel.Layout.valueOf(r.get("inputLayout").asText()) : base.layout();
        OutputActivation act = r.hasNonNull("outputActivation")
                ? OutputActivation.valueOf(r.get("outputActivation").asText().toUpperCase(java.util.Locale.ROOT))
                : replaced ? OutputActivation.NONE : base.activation();
        return new Built(m, layout, act, base.spec());
    }

    /** A folder's {@code base}: the network before the recorded cut and head. */
    private record Base(Classifier model, GraphModel.Layout layout, OutputActivation activation, String spec) {
        static Base open(String base, Path dir) throws IOException {
            if (base.equals(BUNDLED_MOBILENET)) {
                return graph(TfjsLayersModel.loadResource(TfjsLayersModel.class, BUNDLED_RESOURCE), base);
            }
            if (base.startsWith("resource:")) {
                return graph(TfjsLayersModel.loadResource(TfjsLayersModel.class, base.substring(9)), base);
            }
            if (base.startsWith("arch:")) {
                String name = base.substring(5);
                return new Base(Architectures.create(name, 1000), GraphModel.Layout.NCHW, OutputActivation.NONE,
                        base);
            }
            int colon = base.indexOf(':');
            String format = colon > 1 ? base.substring(0, colon) : "";
            List<Path> files = new ArrayList<>();
            for (String f : (colon > 1 ? base.substring(colon + 1) : base).split(";")) {
                Path p = Path.of(f);
                p = p.isAbsolute() ? p : dir.toAbsolutePath().resolve(p).normalize();
                if (!Files.isRegularFile(p)) {
                    throw new NoSuchFileException(p.toString(), null, "no such file; the model folder "
                            + dir + " rebuilds its network from it");
                }
                files.add(p);
            }
            String name = files.getFirst().getFileName().toString().toLowerCase(java.util.Locale.ROOT);
            String spec = (format.isEmpty() ? "" : format + ":") + String.join(";",
                    files.stream().map(Path::toString).toList());
            return switch (format.isEmpty() ? name.endsWith(".onnx") ? "onnx" : "keras-h5" : format) {
                case "tfjs" -> graph(TfjsLayersModel.load(files.getFirst()), spec);
                case "onnx" -> graph(OnnxModel.load(files.getFirst()), spec);
                case "keras-h5" -> graph(KerasH5Model.load(files.getFirst()), spec);
                case "keras-json-h5" -> graph(KerasH5Model.load(files.get(0), files.get(1)), spec);
                default -> throw new IOException(dir.resolve(ARCHITECTURE) + ": unknown base format '" + format + "'");
            };
        }

        private static Base graph(GraphModel g, String spec) {
            return new Base(g, g.sourceLayout(), g.outputActivation(), spec);
        }
    }
}
