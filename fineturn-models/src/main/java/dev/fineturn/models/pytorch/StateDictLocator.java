package dev.fineturn.models.pytorch;

import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.format.Printable;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the dict of tensors in an unpickled checkpoint: the top-level dict itself when it holds
 * tensors, else a nested one such as {@code {"state_dict": {...}}} or {@code {"model": {...}}}.
 * Entries that are not tensors (an epoch counter, a config string) are left out.
 */
final class StateDictLocator {
    /** Keys that conventionally hold the model's weights in a training checkpoint, best first. */
    private static final List<String> PREFERRED = List.of("state_dict", "model_state_dict", "model", "module",
            "net", "network", "weights", "params");
    private static final int MAX_DEPTH = 4;

    private StateDictLocator() {
    }

    private record Candidate(String path, int depth, Map<?, ?> dict) {
    }

    /** The tensors by name; {@code key} picks a top-level entry, null chooses automatically. */
    static LinkedHashMap<String, TensorRef> locate(Path file, Object root, String key) throws WeightFormatException {
        if (!(root instanceof Map<?, ?> top)) {
            throw new WeightFormatException(file, "the checkpoint holds a " + Pickles.typeName(root)
                    + ", not a dict of tensors (save model.state_dict())");
        }
        if (key != null) {
            Object chosen = top.get(key);
            if (!(chosen instanceof Map<?, ?> m) || tensorsOf(m).isEmpty()) {
                throw new WeightFormatException(file, "entry '" + Printable.text(key) + "' is not a dict of tensors; top-level keys: "
                        + keysOf(top));
            }
            return tensorsOf(m);
        }
        List<Candidate> candidates = new ArrayList<>();
        collect("", 0, top, candidates, new IdentityHashMap<>());
        if (candidates.isEmpty()) {
            throw new WeightFormatException(file, "the checkpoint holds no tensors; top-level keys: " + keysOf(top));
        }
        if (candidates.getFirst().depth() == 0) {
            return tensorsOf(top);
        }
        for (String preferred : PREFERRED) {
            for (Candidate c : candidates) {
                if (c.depth() == 1 && c.path().equals(preferred)) {
                    return tensorsOf(c.dict());
                }
            }
        }
        int shallowest = candidates.stream().mapToInt(Candidate::depth).min().orElseThrow();
        List<Candidate> best = candidates.stream().filter(c -> c.depth() == shallowest).toList();
        if (best.size() == 1) {
            return tensorsOf(best.getFirst().dict());
        }
        throw new WeightFormatException(file, "the checkpoint holds several dicts of tensors "
                + best.stream().map(c -> Printable.text(c.path())).toList() + "; name the one to load");
    }

    private static void collect(String path, int depth, Map<?, ?> dict, List<Candidate> out,
                                IdentityHashMap<Object, Boolean> seen) {
        if (depth > MAX_DEPTH || seen.put(dict, true) != null) {
            return;
        }
        if (!tensorsOf(dict).isEmpty()) {
            out.add(new Candidate(path, depth, dict));
        }
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (e.getValue() instanceof Map<?, ?> child) {
                String name = String.valueOf(e.getKey());
                collect(path.isEmpty() ? name : path + "." + name, depth + 1, child, out, seen);
            }
        }
    }

    private static LinkedHashMap<String, TensorRef> tensorsOf(Map<?, ?> dict) {
        LinkedHashMap<String, TensorRef> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (e.getKey() instanceof String name && e.getValue() instanceof TensorRef t) {
                out.put(name, t);
            }
        }
        return out;
    }

    private static List<String> keysOf(Map<?, ?> dict) {
        return dict.keySet().stream().limit(20).map(k -> k instanceof String s ? Printable.text(s) : Pickles.typeName(k))
                .toList();
    }
}
