package dev.fineturn.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void newFilesGetTheUmasksPermissionsAndNoTemporaryFileStays() throws IOException {
        Path plain = dir.resolve("plain.bin");
        Files.write(plain, new byte[]{1});
        Path atomic = dir.resolve("sub/atomic.bin");
        AtomicFiles.write(atomic, new byte[]{1, 2, 3});
        assertArrayEquals(new byte[]{1, 2, 3}, Files.readAllBytes(atomic));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(atomic),
                "an atomically written file gets the same permissions as any other new file");
        try (var s = Files.list(atomic.getParent())) {
            assertEquals(1, s.count(), "only the file itself is left");
        }
    }

    @Test
    void aFailedWriteLeavesTheOldContent() throws IOException {
        Path f = dir.resolve("model.bin");
        AtomicFiles.write(f, new byte[]{7});
        assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[]{8, 9});
            throw new IOException("disk full");
        }));
        assertArrayEquals(new byte[]{7}, Files.readAllBytes(f));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "the temporary file is removed");
        }
    }
}
