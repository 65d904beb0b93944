package dev.fineturn.models.graph;

import java.nio.file.Path;
import java.util.List;

/**
 * Where an imported graph came from, so that it can be opened again: the files its loader read
 * ({@code entries}, e.g. a model.json, and {@code companions} beside the first entry, e.g. weight
 * shards, named relative to its folder), or a class-path resource of fineturn's own.
 *
 * @param format "tfjs", "keras-h5", "keras-json-h5" (architecture JSON and weights) or "onnx"
 */
public record Origin(String format, List<Path> entries, List<String> companions, String resource) {
    public Origin {
        entries = List.copyOf(entries);
        companions = List.copyOf(companions);
        if (entries.isEmpty() == (resource == null)) {
            throw new IllegalArgumentException("an origin is either files or a resource");
        }
    }

    public static Origin files(String format, List<Path> entries, List<String> companions) {
        return new Origin(format, entries.stream().map(p -> p.toAbsolutePath().normalize()).toList(), companions,
                null);
    }

    public static Origin resource(String format, String resource) {
        return new Origin(format, List.of(), List.of(), resource);
    }
}
