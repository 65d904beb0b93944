package dev.fineturn.models.keras;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fineturn.io.NamedTensor;
import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.graph.Origin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The TensorFlow.js layers format: {@code model.json} (Keras topology plus a weights manifest) and
 * binary shards. Quantized weights (uint8/uint16 with min and scale, or float16) are dequantized.
 * Shard sizes are checked against the manifest before any weight is decoded.
 */
public final class TfjsLayersModel {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_MODEL_JSON = 64L << 20;
    private static final long MAX_SHARDS = 2L << 30;

    private TfjsLayersModel() {
    }

    /** Opens the files a model.json names, relative to it. */
    @FunctionalInterface
    public interface Resolver {
        InputStream open(String relativePath) throws IOException;
    }

    public static GraphModel load(Path modelJson) throws IOException {
        Path dir = modelJson.toAbsolutePath().getParent();
        List<String> shards = new java.util.ArrayList<>();
        GraphModel g = load(modelJson.toString(), Files.newInputStream(modelJson), rel -> {
            Path p = dir.resolve(rel).normalize();
            if (!p.startsWith(dir)) {
                throw new WeightFormatException(modelJson, "weight path '" + rel + "' escapes the model folder");
            }
            shards.add(dir.relativize(p).toString());
            return Files.newInputStream(p);
        });
        return g.setOrigin(Origin.files("tfjs", List.of(modelJson), shards));
    }

    /** Loads a model from the class path, e.g. a bundled pretrained model. */
    public static GraphModel loadResource(Class<?> anchor, String modelJsonResource) throws IOException {
        InputStream in = anchor.getResourceAsStream(modelJsonResource);
        if (in == null) {
            throw new IOException("resource " + modelJsonResource + " not found");
        }
        String base = modelJsonResource.substring(0, modelJsonResource.lastIndexOf('/') + 1);
        GraphModel g = load(modelJsonResource, in, rel -> {
            if (rel.contains("..")) {
                throw new IOException(modelJsonResource + ": weight path '" + rel + "' escapes the model folder");
            }
            InputStream s = anchor.getResourceAsStream(base + rel);
            if (s == null) {
                throw new IOException(modelJsonResource + ": weight shard '" + rel + "' not found");
            }
            return s;
        });
        return anchor == TfjsLayersModel.class ? g.setOrigin(Origin.resource("tfjs", modelJsonResource)) : g;
    }

    public static GraphModel load(String name, InputStream modelJson, Resolver resolver) throws IOException {
        Path label = Path.of(name);
        JsonNode root;
        try (InputStream in = modelJson) {
            byte[] bytes = in.readNBytes((int) MAX_MODEL_JSON + 1);
            if (bytes.length > MAX_MODEL_JSON) {
                throw new WeightFormatException(label, "model.json is larger than " + MAX_MODEL_JSON + " bytes");
            }
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new WeightFormatException(label, "malformed JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.has("modelTopology") || !root.has("weightsManifest")) {
            throw new WeightFormatException(label, "not a TF.js layers model (needs modelTopology and weightsManifest)");
        }
        JsonNode topology = root.get("modelTopology");
        JsonNode config = topology.has("model_config") ? topology.get("model_config") : topology;
        List<NamedTensor> tensors = readWeights(label, root.get("weightsManifest"), resolver);
        return new KerasGraphBuilder(name, new KerasWeights(tensors, name)).build(config);
    }

    private static List<NamedTensor> readWeights(Path label, JsonNode manifest, Resolver resolver) throws IOException {
        List<NamedTensor> out = new ArrayList<>();
        for (JsonNode group : manifest) {
            long expected = 0;
            for (JsonNode w : group.path("weights")) {
                expected += bytesOf(label, w);
            }
            if (expected > MAX_SHARDS) {
                throw new WeightFormatException(label, "weights manifest declares " + expected + " bytes");
            }
            byte[] data = new byte[(int) expected];
            int filled = 0;
            for (JsonNode path : group.path("paths")) {
                try (InputStream in = resolver.open(path.asText())) {
                    int n = in.readNBytes(data, filled, data.length - filled);
                    filled += n;
                    if (in.read() >= 0) {
                        throw new WeightFormatException(label, "shard '" + path.asText() + "' holds more bytes than "
                                + "the manifest declares (" + expected + ")");
                    }
                }
            }
            if (filled != expected) {
                throw new WeightFormatException(label, "weight shards hold " + filled + " bytes, the manifest declares "
                        + expected);
            }
            ByteBuffer buf = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            for (JsonNode w : group.path("weights")) {
                out.add(decode(w, buf, shape(label, w)));
            }
        }
        return out;
    }

    private static int[] shape(Path label, JsonNode w) throws WeightFormatException {
        JsonNode s = w.path("shape");
        int[] shape = new int[s.size()];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = s.get(i).asLong(-1);
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw new WeightFormatException(label, "weight '" + w.path("name").asText() + "' has dimension " + d);
            }
            shape[i] = (int) d;
            n *= d;
            if (n > Integer.MAX_VALUE - 8) {
                throw new WeightFormatException(label, "weight '" + w.path("name").asText() + "' is too large");
            }
        }
        return shape;
    }

    private static long bytesOf(Path label, JsonNode w) throws WeightFormatException {
        long n = 1;
        for (int d : shape(label, w)) {
            n *= d;
        }
        String dtype = w.path("quantization").path("dtype").asText(w.path("dtype").asText("float32"));
        return n * switch (dtype) {
            case "uint8", "int8", "bool" -> 1;
            case "uint16", "float16" -> 2;
            case "float32", "int32" -> 4;
            default -> throw new WeightFormatException(label, "weight '" + w.path("name").asText()
                    + "' has unsupported dtype '" + dtype + "'");
        };
    }

    private static NamedTensor decode(JsonNode w, ByteBuffer buf, int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] v = new float[n];
        JsonNode q = w.path("quantization");
        String stored = q.path("dtype").asText(w.path("dtype").asText("float32"));
        float min = (float) q.path("min").asDouble(0);
        float scale = (float) q.path("scale").asDouble(1);
        for (int i = 0; i < n; i++) {
            v[i] = switch (stored) {
                case "uint8" -> q.isMissingNode() ? buf.get() & 0xff : min + scale * (buf.get() & 0xff);
                case "int8" -> buf.get();
                case "bool" -> buf.get() != 0 ? 1f : 0f;
                case "uint16" -> q.isMissingNode() ? buf.getShort() & 0xffff : min + scale * (buf.getShort() & 0xffff);
                case "float16" -> Float.float16ToFloat(buf.getShort());
                case "int32" -> buf.getInt();
                default -> buf.getFloat();
            };
        }
        return new NamedTensor(w.path("name").asText(), shape, v);
    }
}
