package dev.fineturn.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fineturn.io.NamedTensor;
import dev.fineturn.io.Safetensors;
import dev.fineturn.nn.Classifier;
import dev.fineturn.train.FeatureKey;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What an executor needs to rebuild a model: its description in the model folder format
 * ({@code ModelBundle.describe}: the architecture or graph source, cut, head and preprocessing, as
 * text), the weights as safetensors bytes and the input size.
 * Modules themselves are never serialised. {@code backboneHash} names the backbone's weights and is
 * the key under which each executor JVM keeps the one model it rebuilt.
 *
 * @param recipe        the model's description ({@code architecture.json} of its model folder), as JSON text
 * @param weights       {@code model.safetensors} of the model's state dict
 * @param backboneHash  SHA-256 of the backbone's weights, hex ({@link FeatureKey#backbone})
 * @param inputSize     the side length images are resized to
 * @param preprocessing the model's input convention, as its spec
 * @param cut           the graph node the backbone ends at, or "" for the whole network
 * @param backend       the backend name to rebuild on, or "" for each JVM's default
 */
public record BackboneBroadcast(String recipe, byte[] weights, String backboneHash, int inputSize,
                                String preprocessing, String cut, String backend) implements Serializable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Captures {@code model} (its weights as they are now) with the description that rebuilds it. */
    public static BackboneBroadcast of(Classifier model, ObjectNode recipe, int inputSize, String backend) {
        ObjectNode r = dev.fineturn.models.bundle.ModelBundle.describe(model);
        if (recipe.hasNonNull("weights")) {
            r.put("weights", recipe.get("weights").asText());
        }
        r.put("inputSize", inputSize);
        return new BackboneBroadcast(r.toString(), safetensorsBytes(model.stateDict()),
                FeatureKey.hex(FeatureKey.backbone(model)), inputSize, model.preprocessing().spec(),
                r.path("cut").asText(""), backend == null ? "" : backend);
    }

    /** The recipe as a JSON object. */
    public ObjectNode recipeJson() {
        try {
            return (ObjectNode) JSON.readTree(recipe);
        } catch (IOException e) {
            throw new UncheckedIOException("model recipe: " + e.getMessage(), e);
        }
    }

    /** The same architecture with other weights (a training step's result). */
    public BackboneBroadcast withWeights(Map<String, dev.fineturn.tensor.Tensor> state, String hash) {
        return new BackboneBroadcast(recipe, safetensorsBytes(state), hash, inputSize, preprocessing, cut, backend);
    }

    /** The same architecture with weights given as safetensors bytes. */
    public BackboneBroadcast withWeights(byte[] safetensors, String hash) {
        return new BackboneBroadcast(recipe, safetensors, hash, inputSize, preprocessing, cut, backend);
    }

    static byte[] safetensorsBytes(Map<String, dev.fineturn.tensor.Tensor> state) {
        List<NamedTensor> ts = new ArrayList<>();
        state.forEach((k, v) -> ts.add(NamedTensor.of(k, v)));
        try {
            Path tmp = Files.createTempFile("fineturn-weights", ".safetensors");
            try {
                Safetensors.write(tmp, ts, Map.of("format", "fineturn"));
                return Files.readAllBytes(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("weights to safetensors: " + e.getMessage(), e);
        }
    }

    static List<NamedTensor> readSafetensors(byte[] bytes) {
        try {
            Path tmp = Files.createTempFile("fineturn-weights", ".safetensors");
            try {
                Files.write(tmp, bytes);
                return Safetensors.read(tmp).tensors();
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("broadcast weights: " + e.getMessage(), e);
        }
    }
}
