package dev.fineturn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fineturn.io.NamedTensor;
import dev.fineturn.io.Safetensors;
import dev.fineturn.models.arch.Architectures;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.graph.OutputActivation;
import dev.fineturn.models.keras.TfjsLayersModel;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Module;
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
 * Opens and saves models for the command line. A model is named by a TF.js {@code model.json} (or
 * its folder), {@code bundled:mobilenet_v2}, an architecture name (resnet18, mobilenet_v2, ...)
 * with optional weights, or a folder that {@code fineturn finetune} wrote: {@code architecture.json}
 * (how to rebuild the network) plus {@code model.safetensors}.
 */
public final class ModelFiles {
    public static final String ARCHITECTURE = "architecture.json";
    public static final String WEIGHTS = "model.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelFiles() {
    }

    /** A classifier with what is needed to rebuild it and to feed it. */
    public record Loaded(Classifier model, ObjectNode recipe, GraphModel.Layout layout, OutputActivation activation,
                  String format) {
    }

    /** Opens a model and, when given, loads weights into it by name, type and shape, reporting the match. */
    static Loaded open(String spec, Path weights, Backend backend, boolean quiet) throws IOException {
        return open(spec, weights, backend, quiet, false);
    }

    /**
     * As above; an architecture gets as many classes as its weights' classifier has (so loading
     * torchvision's 10-class weights reports no mismatch), and the load report is a summary
     * unless {@code verbose}.
     */
    static Loaded open(String spec, Path weights, Backend backend, boolean quiet, boolean verbose)
            throws IOException {
        List<NamedTensor> state = weights == null ? null
                : dev.fineturn.models.format.WeightFiles.readStateDict(weights);
        Loaded l = open(spec, backend, state == null ? 0 : classifierClasses(state));
        if (state != null) {
            var report = dev.fineturn.models.match.WeightMatcher.defaults().strict(0.5).load(l.model(), state);
            if (!quiet) {
                System.err.print(verbose ? report.toString() : report.brief());
            }
            l.recipe().put("weights", weights.getFileName().toString());
        }
        return l;
    }

    /**
     * {@code --cut}: an imported graph up to {@code node}, pooled, with a fresh head for
     * {@code classes}; the recipe records the cut so the model folder rebuilds it.
     */
    public static Classifier cut(Classifier net, String node, int classes, int size, ObjectNode recipe) {
        if (!(net instanceof GraphModel g)) {
            throw new IllegalArgumentException("--cut needs an imported graph model (TF.js, Keras, ONNX), not "
                    + net.getClass().getSimpleName());
        }
        GraphModel cut = g.truncate(node, classes, size);
        recipe.put("cut", node).put("probeSize", size);
        return cut;
    }

    /** The output count of the last matrix in a state dict: the classifier's, in torchvision order. */
    static int classifierClasses(List<NamedTensor> state) {
        for (int i = state.size() - 1; i >= 0; i--) {
            NamedTensor t = state.get(i);
            if (t.name().endsWith("weight") && t.shape().length == 2) {
                return t.shape()[0];
            }
        }
        return 0;
    }

    public static Loaded open(String spec, Backend backend) throws IOException {
        return open(spec, backend, 0);
    }

    private static Loaded open(String spec, Backend backend, int classes) throws IOException {
        ObjectNode recipe = JSON.createObjectNode();
        Path p = Path.of(spec);
        if (spec.equals("bundled:mobilenet_v2")) {
            recipe.put("base", "bundled:mobilenet_v2");
            GraphModel g = TfjsLayersModel.loadResource(TfjsLayersModel.class, DemoCommand.MODEL);
            return graph(g, recipe, backend, "TF.js layers (bundled MobileNetV2)");
        }
        if (Files.isDirectory(p) && Files.exists(p.resolve(ARCHITECTURE))) {
            return saved(p, backend);
        }
        Path modelJson = Files.isDirectory(p) ? p.resolve("model.json") : p;
        if (Files.isRegularFile(modelJson) && modelJson.getFileName().toString().endsWith(".json")) {
            recipe.put("base", "tfjs:" + modelJson.toAbsolutePath());
            return graph(TfjsLayersModel.load(modelJson), recipe, backend, "TF.js layers");
        }
        if (Files.isRegularFile(p) && spec.toLowerCase().endsWith(".h5")) {
            recipe.put("base", p.toAbsolutePath().toString());
            return graph(dev.fineturn.models.keras.KerasH5Model.load(p), recipe, backend, "Keras HDF5");
        }
        if (Files.isRegularFile(p) && spec.toLowerCase().endsWith(".onnx")) {
            recipe.put("base", p.toAbsolutePath().toString());
            return graph(dev.fineturn.models.onnx.OnnxModel.load(p), recipe, backend, "ONNX");
        }
        if (Architectures.names().contains(spec.toLowerCase())) {
            recipe.put("base", "arch:" + spec.toLowerCase());
            Classifier c = Architectures.create(spec.toLowerCase(), classes >= 2 ? classes : 1000);
            c.to(backend);
            return new Loaded(c, recipe, GraphModel.Layout.NCHW, OutputActivation.NONE, "architecture " + spec);
        }
        if (!Files.exists(p)) {
            throw new NoSuchFileException(spec, null, "no such model file; give a model.json, a folder written by "
                    + "fineturn finetune, bundled:mobilenet_v2, or an architecture: " + Architectures.names());
        }
        throw new IOException(spec + ": cannot tell what model this is (expected a TF.js model.json, a fineturn "
                + "model folder, or an architecture name with --weights)");
    }

    private static Loaded graph(GraphModel g, ObjectNode recipe, Backend backend, String format) {
        g.to(backend);
        return new Loaded(g, recipe, g.sourceLayout(), g.outputActivation(), format);
    }

    /** Applies a recipe's modifications (a cut with a new head, or a new head) to a freshly opened base. */
    public static Loaded rebuild(ObjectNode recipe, Backend backend) throws IOException {
        Loaded base = open(recipe.get("base").asText().replaceFirst("^(tfjs|arch):", ""), backend);
        Classifier m = base.model();
        if (recipe.hasNonNull("preprocess")) {
            m.setPreprocessing(dev.fineturn.data.Preprocessing.parse(recipe.get("preprocess").asText()));
        }
        OutputActivation act = base.activation();
        int classes = recipe.path("numClasses").asInt(m.numClasses());
        if (recipe.has("cut")) {
            if (!(m instanceof GraphModel g)) {
                throw new IOException("a cut at '" + recipe.get("cut").asText() + "' needs an imported graph model");
            }
            m = g.truncate(recipe.get("cut").asText(), classes, recipe.path("probeSize").asInt(64));
            act = OutputActivation.NONE;
        } else if (recipe.path("newHead").asBoolean(false)) {
            m.replaceHead(classes);
            act = OutputActivation.NONE;
        }
        int hidden = recipe.path("headHidden").asInt(0);
        if (hidden > 0) {
            m.replaceHeadWithMlp(classes, hidden, dev.fineturn.nn.Init.Scheme.HE);
        }
        m.to(backend);
        return new Loaded(m, recipe, base.layout(), act, base.format());
    }

    private static Loaded saved(Path dir, Backend backend) throws IOException {
        JsonNode arch = JSON.readTree(dir.resolve(ARCHITECTURE).toFile());
        if (!(arch instanceof ObjectNode recipe) || !arch.has("base")) {
            throw new IOException(dir.resolve(ARCHITECTURE) + ": not a fineturn architecture file");
        }
        Loaded l = rebuild(recipe, backend);
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (NamedTensor t : Safetensors.read(dir.resolve(WEIGHTS)).tensors()) {
            state.put(t.name(), t.toTensor(backend));
        }
        Module.LoadResult r = l.model().loadStateDict(state, true);
        if (!r.isComplete()) {
            throw new IOException(dir + ": weights do not fit the architecture: " + r);
        }
        return new Loaded(l.model(), recipe, l.layout(), l.activation(), "fineturn model folder");
    }

    public static void save(Path dir, Classifier model, ObjectNode recipe, List<String> classes) throws IOException {
        Files.createDirectories(dir);
        ObjectNode r = recipe.deepCopy();
        r.put("format", "fineturn");
        r.put("preprocess", model.preprocessing().spec());
        r.put("numClasses", model.numClasses());
        var names = r.putArray("classes");
        classes.forEach(names::add);
        List<NamedTensor> ts = new ArrayList<>();
        model.stateDict().forEach((k, v) -> ts.add(NamedTensor.of(k, v)));
        Safetensors.write(dir.resolve(WEIGHTS), ts, Map.of("format", "fineturn"));
        dev.fineturn.io.AtomicFiles.write(dir.resolve(ARCHITECTURE), JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(r));
    }
}
