package dev.fineturn.spark;

import dev.fineturn.data.ImageDecoder;
import dev.fineturn.data.Resize;
import dev.fineturn.data.Sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;

/** Decodes image bytes the way a local image folder does: RGB in [0, 1], resized bilinearly. */
final class ImageRows {
    private ImageRows() {
    }

    static Sample decode(byte[] content, String path, int label, int size) {
        try {
            Sample s = ImageDecoder.decode(content, displayPath(path), label);
            return new Resize(size, size).apply(s, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private static Path displayPath(String path) {
        try {
            return path.startsWith("file:") ? Path.of(URI.create(path)) : Path.of(path);
        } catch (RuntimeException e) {
            return Path.of(path.replace(':', '_'));
        }
    }
}
