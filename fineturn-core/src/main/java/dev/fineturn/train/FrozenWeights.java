package dev.fineturn.train;

import dev.fineturn.nn.Layer;
import dev.fineturn.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a checkpoint stores and what it only names: parameters that train and all buffers are
 * stored; frozen parameters are identified by a SHA-256 over their names, shapes and values.
 */
final class FrozenWeights {
    private FrozenWeights() {
    }

    /** The state-dict entries a step can change: trainable parameters and buffers. */
    static Map<String, Tensor> changing(Layer model) {
        Map<String, Tensor> params = model.namedParameters();
        Map<String, Tensor> out = new LinkedHashMap<>();
        model.stateDict().forEach((k, t) -> {
            Tensor p = params.get(k);
            if (p == null || p.requiresGrad()) {
                out.put(k, t);
            }
        });
        return out;
    }

    static String sha256(Layer model) {
        MessageDigest d;
        try {
            d = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
            Tensor t = e.getValue();
            if (t.requiresGrad()) {
                continue;
            }
            d.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            ByteBuffer shape = ByteBuffer.allocate(4 * (t.shape().length + 1)).order(ByteOrder.LITTLE_ENDIAN);
            shape.putInt(t.shape().length);
            for (int s : t.shape()) {
                shape.putInt(s);
            }
            d.update(shape.array());
            float[] v = t.toArray();
            ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(v);
            d.update(b.array());
        }
        return HexFormat.of().formatHex(d.digest());
    }

    /** Refuses a model that does not train the same parameters or whose frozen weights differ. */
    static void check(Path file, String recordedHash, Set<String> stored, Layer model) throws IOException {
        Set<String> expected = new TreeSet<>(changing(model).keySet());
        if (!expected.equals(new TreeSet<>(stored))) {
            Set<String> onlyStored = new TreeSet<>(stored);
            onlyStored.removeAll(expected);
            Set<String> onlyModel = new TreeSet<>(expected);
            onlyModel.removeAll(stored);
            throw new IOException(file + ": the checkpoint was made with other layers trainable"
                    + (onlyStored.isEmpty() ? "" : "; it stores " + brief(onlyStored) + " that the model keeps frozen")
                    + (onlyModel.isEmpty() ? "" : "; the model trains " + brief(onlyModel) + " that it lacks")
                    + "; resume with the same model and strategy");
        }
        String actual = sha256(model);
        if (!actual.equals(recordedHash)) {
            throw new IOException(file + ": the model's frozen weights (sha256 " + actual.substring(0, 12)
                    + ") are not those the checkpoint was made from (" + recordedHash.substring(0,
                    Math.min(12, recordedHash.length())) + "); resume with the same pretrained weights");
        }
    }

    private static String brief(Set<String> names) {
        return names.size() <= 3 ? String.join(", ", names)
                : String.join(", ", names.stream().limit(3).toList()) + " and " + (names.size() - 3) + " more";
    }
}
