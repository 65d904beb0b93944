package dev.fineturn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fineturn.io.NamedTensor;
import dev.fineturn.models.arch.Architectures;
import dev.fineturn.models.bundle.ModelBundle;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.graph.OutputActivation;
import dev.fineturn.models.keras.TfjsLayersModel;
import dev.fineturn.nn.Classifier;
import dev.fineturn.spi.Backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Opens and saves models for the command line. A model is named by a TF.js {@code model.json} (or
 * its folder), {@code bundled:mobilenet_v2}, an architecture name (resnet18, mobilenet_v2, ...)
 * with optional weights, or a folder that {@code fineturn finetune} wrote, read and written by
 * {@link ModelBundle}.
 */
public final class ModelFiles {
    public static final String ARCHITECTURE = ModelBundle.ARCHITECTURE;
    public static final String WEIGHTS = ModelBundle.WEIGHTS;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelFiles() {
    }

    /** A classifier with what is needed to feed it, and notes for its model folder. */
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
        return open(spec, weights, backend, quiet, verbose, 0);
    }

    /** As above, an architecture's head with {@code numClasses} outputs when that is positive. */
    static Loaded open(String spec, Path weights, Backend backend, boolean quiet, boolean verbose, int numClasses)
            throws IOException {
        List<NamedTensor> state = weights == null ? null
                : dev.fineturn.models.format.WeightFiles.readStateDict(weights);
        int fromWeights = state == null ? 0 : classifierClasses(state);
        if (numClasses > 0 && fromWeights > 0 && numClasses != fromWeights) {
            throw new IllegalArgumentException("--num-classes " + numClasses + ": the classifier in " + weights
                    + " has " + fromWeights + " outputs");
        }
        Loaded l = open(spec, backend, numClasses > 0 ? numClasses : fromWeights);
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
     * {@code classes}; the recipe notes the cut (the graph itself records it for its model folder).
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
        if (spec.equals(ModelBundle.BUNDLED_MOBILENET)) {
            GraphModel g = TfjsLayersModel.loadResource(TfjsLayersModel.class, DemoCommand.MODEL);
            return graph(g, recipe, backend, "TF.js layers (bundled MobileNetV2)");
        }
        if (Files.isDirectory(p) && Files.exists(p.resolve(ARCHITECTURE))) {
            return saved(p, backend);
        }
        Path modelJson = Files.isDirectory(p) ? p.resolve("model.json") : p;
        if (Files.isRegularFile(modelJson) && modelJson.getFileName().toString().endsWith(".json")) {
            return graph(TfjsLayersModel.load(modelJson), recipe, backend, "TF.js layers");
        }
        if (Files.isRegularFile(p) && spec.toLowerCase().endsWith(".h5")) {
            return graph(dev.fineturn.models.keras.KerasH5Model.load(p), recipe, backend, "Keras HDF5");
        }
        if (Files.isRegularFile(p) && spec.toLowerCase().endsWith(".onnx")) {
            return graph(dev.fineturn.models.onnx.OnnxModel.load(p), recipe, backend, "ONNX");
        }
        if (Architectures.names().contains(spec.toLowerCase())) {
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

    private static Loaded saved(Path dir, Backend backend) throws IOException {
        ModelBundle bundle = ModelBundle.load(dir, backend);
        JsonNode arch = JSON.readTree(dir.resolve(ARCHITECTURE).toFile());
        ObjectNode recipe = (ObjectNode) arch;
        return new Loaded(bundle.model(), recipe, bundle.layout(), bundle.outputActivation(), "fineturn model folder");
    }

    /**
     * Saves a model folder ({@link ModelBundle}): the recipe's input size is recorded, and the name
     * of the weights file the model started from as a note.
     */
    public static ModelBundle.Saved save(Path dir, Classifier model, ObjectNode recipe, List<String> classes)
            throws IOException {
        Map<String, String> notes = new LinkedHashMap<>();
        if (recipe.hasNonNull("weights")) {
            notes.put("weights", recipe.get("weights").asText());
        }
        return ModelBundle.save(model, dir, classes, recipe.path("inputSize").asInt(DEFAULT_SIZE), notes);
    }

    private static final int DEFAULT_SIZE = 224;
}
