package dev.fineturn.models.bundle;

import dev.fineturn.io.AtomicFiles;
import dev.fineturn.models.graph.Origin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies the files an imported graph was read from into a model folder's {@code source/}, so the
 * folder can rebuild the graph after the originals are moved or deleted.
 */
final class SourceCopy {
    static final String FOLDER = "source";

    private SourceCopy() {
    }

    /** Copies {@code origin}'s files into {@code dir/source}; returns the entries' paths relative to {@code dir}. */
    static List<String> copy(Origin origin, Path dir) throws IOException {
        Path target = dir.toAbsolutePath().normalize().resolve(FOLDER);
        List<String> entries = new ArrayList<>();
        for (Path entry : origin.entries()) {
            Path to = target.resolve(entry.getFileName().toString());
            copyFile(entry, to);
            entries.add(FOLDER + "/" + entry.getFileName());
        }
        Path home = origin.entries().getFirst().getParent();
        for (String companion : origin.companions()) {
            Path from = home.resolve(companion).normalize();
            Path to = target.resolve(companion).normalize();
            if (!from.startsWith(home) || !to.startsWith(target)) {
                throw new IOException(origin.entries().getFirst() + ": companion file '" + companion
                        + "' lies outside the model's folder");
            }
            copyFile(from, to);
        }
        return entries;
    }

    private static void copyFile(Path from, Path to) throws IOException {
        if (!Files.isRegularFile(from)) {
            throw new NoSuchFileException(from.toString(), null,
                    "no such file; the model was imported from it and the folder needs a copy");
        }
        if (Files.exists(to) && Files.isSameFile(from, to)) {
            return;
        }
        AtomicFiles.write(to, out -> Files.copy(from, out));
    }
}
