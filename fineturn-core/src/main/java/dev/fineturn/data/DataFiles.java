package dev.fineturn.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opening data files that may be gzip-compressed, whatever their name says. */
final class DataFiles {
    /** The largest array the JVM reliably allocates. */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private DataFiles() {
    }

    static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    /** The file's bytes, decompressed if it starts with the gzip magic bytes. */
    static InputStream open(Path file) throws IOException {
        InputStream raw = Files.newInputStream(file);
        try {
            return isGzip(file) ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16)
                    : new BufferedInputStream(raw, 1 << 16);
        } catch (IOException e) {
            raw.close();
            throw new DatasetFormatException(file, "cannot open gzip stream: " + e.getMessage(), e);
        }
    }
}
