package dev.fineturn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fineturn.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings a {@code finetune} run was started with, kept in {@code run.json} of its folder, so
 * that {@code --resume} continues the same run: everything must match except the number of epochs.
 */
final class RunSettings {
    static final String FILE = "run.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> values = new LinkedHashMap<>();

    RunSettings put(String key, Object value) {
        values.put(key, value == null ? "" : value.toString());
        return this;
    }

    /** A path that exists is recorded in absolute form, so that a run resumed from elsewhere compares equal. */
    static String location(String pathOrName) {
        if (pathOrName == null) {
            return null;
        }
        Path p = Path.of(pathOrName);
        return Files.exists(p) ? p.toAbsolutePath().normalize().toString() : pathOrName;
    }

    void write(Path runFolder) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        values.forEach(n::put);
        AtomicFiles.write(runFolder.resolve(FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
    }

    /** Refuses, in one line naming each difference, to resume a run that was started with other settings. */
    void requireSameAs(Path runFolder) throws IOException {
        Path f = runFolder.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            return;
        }
        JsonNode recorded = JSON.readTree(f.toFile());
        List<String> changed = new ArrayList<>();
        values.forEach((k, v) -> {
            String was = recorded.path(k).asText("");
            if (!was.equals(v)) {
                changed.add("--" + k + " " + (v.isEmpty() ? "(not given)" : v) + " (the run has "
                        + (was.isEmpty() ? "none" : was) + ")");
            }
        });
        if (!changed.isEmpty()) {
            throw new IllegalArgumentException("--resume: the run in " + runFolder + " was started with other "
                    + "settings: " + String.join(", ", changed) + "; only --epochs may change when resuming");
        }
    }
}
