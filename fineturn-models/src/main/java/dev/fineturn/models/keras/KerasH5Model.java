package dev.fineturn.models.keras;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.graph.Origin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Keras 2 (tf.keras) HDF5 models: a {@code model.save("x.h5")} file, holding the architecture in the
 * root attribute {@code model_config} and the weights under {@code /model_weights}, or a
 * {@code save_weights} file (layer groups at the root) with the architecture from a separate JSON
 * file ({@code model.to_json()} or a TF.js layers {@code model.json}). Pure Java: read through jhdf.
 */
public final class KerasH5Model {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_JSON = 64L << 20;

    private KerasH5Model() {
    }

    /** Loads a whole saved model (architecture and weights) from one .h5 file. */
    public static GraphModel load(Path h5) throws IOException {
        dev.fineturn.models.format.OptionalModules.require(dev.fineturn.models.format.OptionalModules.JHDF,
                "reading Keras HDF5 (" + h5 + ")");
        try (KerasH5File f = KerasH5File.open(h5)) {
            checkOrigin(f);
            String config = f.string(f.root(), "model_config");
            if (config == null) {
                throw new WeightFormatException(h5, f.strings(f.root(), "layer_names") != null
                        ? "no model_config attribute: this is a weights-only file (model.save_weights); load it with "
                        + "KerasH5Model.load(architectureJson, weightsH5)"
                        : "no model_config attribute: not a Keras model file (Keras writes one with "
                        + "model.save(\"x.h5\"))");
            }
            JsonNode modelConfig = modelConfig(h5, parse(h5, "model_config", config));
            KerasWeights weights = new KerasWeights(f.weights(f.weightsGroup()), h5.toString());
            return build(h5, h5, weights, modelConfig)
                    .setOrigin(Origin.files("keras-h5", java.util.List.of(h5), java.util.List.of()));
        }
    }

    /**
     * Loads the architecture from a JSON file ({@code model.to_json()}, or a TF.js layers
     * model.json, whose weights manifest is ignored) and the weights from a Keras .h5 file, either
     * a {@code save_weights} file or a whole saved model.
     */
    public static GraphModel load(Path architectureJson, Path weightsH5) throws IOException {
        JsonNode modelConfig = modelConfig(architectureJson,
                parse(architectureJson, "architecture", readJson(architectureJson)));
        dev.fineturn.models.format.OptionalModules.require(dev.fineturn.models.format.OptionalModules.JHDF,
                "reading Keras HDF5 (" + weightsH5 + ")");
        try (KerasH5File f = KerasH5File.open(weightsH5)) {
            checkOrigin(f);
            KerasWeights weights = new KerasWeights(f.weights(f.weightsGroup()), weightsH5.toString());
            return build(architectureJson, weightsH5, weights, modelConfig).setOrigin(Origin.files("keras-json-h5",
                    java.util.List.of(architectureJson, weightsH5), java.util.List.of()));
        }
    }

    /** Builds the graph; the graph's own consistency errors get the file name that the builder's carry. */
    private static GraphModel build(Path source, Path weightsFile, KerasWeights weights, JsonNode modelConfig) {
        try {
            return new KerasGraphBuilder(source.toString(), weights).build(modelConfig);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            if (m != null && (m.contains(source.toString()) || m.contains(weightsFile.toString()))) {
                throw e;
            }
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static String readJson(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new WeightFormatException(file, "no such file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes((int) MAX_JSON + 1);
            if (bytes.length > MAX_JSON) {
                throw new WeightFormatException(file, "architecture JSON is larger than " + MAX_JSON + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static JsonNode parse(Path file, String what, String json) throws WeightFormatException {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new WeightFormatException(file, what + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The {class_name, config} object of a Keras model, possibly wrapped in a TF.js model.json topology. */
    private static JsonNode modelConfig(Path file, JsonNode root) throws WeightFormatException {
        JsonNode n = root == null ? null : root.has("modelTopology") ? root.get("modelTopology") : root;
        n = n != null && n.has("model_config") ? n.get("model_config") : n;
        if (n == null || !n.isObject() || !n.path("class_name").isTextual() || !n.has("config")) {
            throw new WeightFormatException(file, "no Keras model config (an object with class_name and config) in "
                    + "its JSON");
        }
        return n;
    }

    /** Rejects files whose configs or kernels this importer would misread. */
    private static void checkOrigin(KerasH5File f) throws WeightFormatException {
        String version = f.string(f.root(), "keras_version");
        String backend = f.string(f.root(), "backend");
        if (version != null && !version.isEmpty() && !version.startsWith("2.")) {
            throw new WeightFormatException(f.path(), "written by Keras " + version + ", whose layer configs differ "
                    + "from Keras 2 (tf.keras), the version this importer reads");
        }
        if ("theano".equals(backend)) {
            throw new WeightFormatException(f.path(), "written with the Theano backend, whose convolution kernels are "
                    + "flipped; re-save the model with the TensorFlow backend");
        }
    }
}
