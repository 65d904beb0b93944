package dev.fineturn.models.match;

import dev.fineturn.nn.Layer;
import dev.fineturn.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model's parameters and buffers in PyTorch's {@code state_dict()} order: module by module,
 * each module's own parameters then its own buffers ({@code 1.weight, 1.bias, 1.running_mean, ...,
 * 5.weight}). {@link Layer#stateDict()} lists all parameters before all buffers, which would
 * misalign an order-based match against a file written by PyTorch or Keras.
 */
final class TorchOrder {
    private TorchOrder() {
    }

    static Map<String, Tensor> stateDict(Layer model) {
        Map<String, Tensor> parameters = model.namedParameters();
        Map<String, Tensor> buffers = model.namedBuffers();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String path : model.namedModules().keySet()) {
            addOwn(path, parameters, out);
            addOwn(path, buffers, out);
        }
        return out;
    }

    private static void addOwn(String path, Map<String, Tensor> tensors, Map<String, Tensor> out) {
        String prefix = path.isEmpty() ? "" : path + ".";
        tensors.forEach((name, t) -> {
            if (name.startsWith(prefix) && name.indexOf('.', prefix.length()) < 0) {
                out.put(name, t);
            }
        });
    }
}
