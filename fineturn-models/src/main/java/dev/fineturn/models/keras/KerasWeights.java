package dev.fineturn.models.keras;

import dev.fineturn.io.NamedTensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Keras model's weights by name ("Conv1/kernel", or h5-style "Conv1/Conv1/kernel:0"), looked up
 * per layer and weight kind.
 */
public final class KerasWeights {
    private final Map<String, NamedTensor> byName = new LinkedHashMap<>();
    private final String source;

    public KerasWeights(Iterable<NamedTensor> tensors, String source) {
        for (NamedTensor t : tensors) {
            byName.put(t.name(), t);
        }
        this.source = source;
    }

    /** The weight {@code kind} (kernel, bias, gamma, ...) of {@code layer}, or null when absent. */
    public NamedTensor find(String layer, String kind) {
        for (String candidate : new String[]{layer + "/" + kind, layer + "/" + kind + ":0",
                layer + "/" + layer + "/" + kind + ":0", layer + "/" + layer + "/" + kind}) {
            NamedTensor t = byName.get(candidate);
            if (t != null) {
                return t;
            }
        }
        for (Map.Entry<String, NamedTensor> e : byName.entrySet()) {
            String k = e.getKey();
            if (k.startsWith(layer + "/") && (k.endsWith("/" + kind) || k.endsWith("/" + kind + ":0"))) {
                return e.getValue();
            }
        }
        return null;
    }

    public NamedTensor require(String layer, String kind, int[] expectedShape) {
        NamedTensor t = find(layer, kind);
        if (t == null) {
            throw new IllegalArgumentException(source + ": layer '" + layer + "' has no weight '" + kind
                    + "'; weights of that layer: " + byName.keySet().stream().filter(k -> k.startsWith(layer + "/"))
                    .toList());
        }
        if (!java.util.Arrays.equals(t.shape(), expectedShape)) {
            throw new IllegalArgumentException(source + ": weight '" + t.name() + "' has shape "
                    + java.util.Arrays.toString(t.shape()) + ", layer '" + layer + "' needs "
                    + java.util.Arrays.toString(expectedShape));
        }
        return t;
    }

    public int size() {
        return byName.size();
    }
}
