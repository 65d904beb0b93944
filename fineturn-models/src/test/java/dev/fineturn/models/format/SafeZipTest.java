package dev.fineturn.models.format;

import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.testing.ZipBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Entry sizes in the central directory are checked before a buffer is allocated for them. */
class SafeZipTest {
    private static final int CENTRAL_HEADER = 0x02014b50;

    @TempDir
    Path dir;

    /** Rewrites the uncompressed size that the central directory records for the only entry. */
    private Path withDeclaredSize(byte[] zip, long size) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(zip.clone()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 4 <= zip.length; i++) {
            if (b.getInt(i) == CENTRAL_HEADER) {
                b.putInt(i + 24, (int) size);
                Path f = dir.resolve("sized.zip");
                Files.write(f, b.array());
                return f;
            }
        }
        throw new IllegalStateException("no central directory header");
    }

    @Test
    void readsAnEntryWhoseSizeIsConsistent() throws IOException {
        Path f = dir.resolve("ok.zip");
        Files.write(f, new ZipBuilder().deflated("a.bin", new byte[5000]).build());
        try (SafeZip zip = SafeZip.open(f)) {
            assertArrayEquals(new byte[5000], zip.readAll(zip.entry("a.bin"), 10_000));
            WeightFormatException e = assertThrows(WeightFormatException.class,
                    () -> zip.readAll(zip.entry("a.bin"), 4096));
            assertEquals(f + ": zip entry 'a.bin' is 5000 bytes, more than the 4096 allowed", e.getMessage());
        }
    }

    @Test
    void aStoredEntryMustDeclareItsOwnLength() throws IOException {
        Path f = withDeclaredSize(new ZipBuilder().stored("a.bin", new byte[16]).build(), 1_000_000);
        try (SafeZip zip = SafeZip.open(f)) {
            WeightFormatException e = assertThrows(WeightFormatException.class, () -> zip.checkedSize(zip.entry("a.bin")));
            assertEquals(f + ": zip entry 'a.bin' is stored uncompressed but declares 1000000 bytes in 16",
                    e.getMessage());
        }
    }

    @Test
    void aDeflatedEntryCannotClaimMoreThanDeflateCanExpand() throws IOException {
        Path f = withDeclaredSize(new ZipBuilder().deflated("bomb.bin", new byte[1000]).build(), 2_000_000_000);
        try (SafeZip zip = SafeZip.open(f)) {
            WeightFormatException e = assertThrows(WeightFormatException.class,
                    () -> zip.readAll(zip.entry("bomb.bin"), Integer.MAX_VALUE));
            assertTrue(e.getMessage().startsWith(f + ": zip entry 'bomb.bin' declares 2000000000 bytes from only "),
                    e.getMessage());
        }
    }

    @Test
    void aDeflatedEntryShorterThanDeclaredIsTruncated() throws IOException {
        Path f = withDeclaredSize(new ZipBuilder().deflated("short.bin", new byte[1000]).build(), 1500);
        try (SafeZip zip = SafeZip.open(f)) {
            WeightFormatException e = assertThrows(WeightFormatException.class,
                    () -> zip.readAll(zip.entry("short.bin"), 10_000));
            assertTrue(e.getMessage().startsWith(f + ": zip entry 'short.bin' "), e.getMessage());
        }
    }

    @Test
    void controlCharactersInNamesAreEscaped() throws IOException {
        Path f = dir.resolve("ctl.zip");
        Files.write(f, new ZipBuilder().stored("../\u001b[31mred", new byte[1]).build());
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> SafeZip.open(f));
        assertEquals(f + ": zip entry '../\\x1b[31mred' has an unsafe path (it could point outside the archive); "
                + "refusing the file", e.getMessage());
    }
}
