package dev.fineturn.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxReaderTest {
    @TempDir
    Path dir;

    /** Three 2x2 images: 0, 51, 102, 153 / 255, 204, 0, 0 / 1, 2, 3, 4; labels 3, 0, 9. */
    private static final byte[] PIXELS = {0, 51, 102, (byte) 153, (byte) 255, (byte) 204, 0, 0, 1, 2, 3, 4};
    private static final byte[] LABELS = {3, 0, 9};

    private static byte[] idx(int type, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.put(data).array();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(data);
        }
        return out.toByteArray();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private Path images() throws IOException {
        return write("images-idx3-ubyte", idx(8, new int[]{3, 2, 2}, PIXELS));
    }

    private Path labels() throws IOException {
        return write("labels-idx1-ubyte", idx(8, new int[]{3}, LABELS));
    }

    private static void assertExpected(InMemoryDataset d, int n) {
        assertEquals(n, d.size());
        assertArrayEquals(new int[]{1, 2, 2}, d.sampleShape());
        assertEquals(10, d.numClasses());
        assertArrayEquals(new float[]{0f, 0.2f, 0.4f, 0.6f}, d.get(0).pixels(), 1e-7f);
        assertArrayEquals(new float[]{1f, 0.8f, 0f, 0f}, d.get(1).pixels(), 1e-7f);
        assertEquals(3, d.get(0).label());
        assertEquals(0, d.get(1).label());
    }

    @Test
    void readsPlainFiles() throws IOException {
        InMemoryDataset d = IdxReader.read(images(), labels());
        assertExpected(d, 3);
        assertArrayEquals(new float[]{1 / 255f, 2 / 255f, 3 / 255f, 4 / 255f}, d.get(2).pixels());
        assertEquals(9, d.get(2).label());
    }

    @Test
    void detectsGzipByMagicBytesNotByName() throws IOException {
        Path img = write("images.idx", gzip(idx(8, new int[]{3, 2, 2}, PIXELS)));
        Path lbl = write("labels.idx", gzip(idx(8, new int[]{3}, LABELS)));
        assertExpected(IdxReader.read(img, lbl), 3);
        Path plainNamedGz = write("labels.gz", idx(8, new int[]{3}, LABELS));
        assertExpected(IdxReader.read(img, plainNamedGz), 3);
    }

    @Test
    void limitReadsTheFirstSamples() throws IOException {
        InMemoryDataset d = IdxReader.read(images(), labels(), 2);
        assertEquals(2, d.size());
        assertEquals(4, d.numClasses());
        assertArrayEquals(new float[]{1f, 0.8f, 0f, 0f}, d.get(1).pixels(), 1e-7f);
    }

    @Test
    void truncatedFileNamesTheFileAndTheShortfall() throws IOException {
        Path img = write("short-idx3-ubyte", Arrays.copyOf(idx(8, new int[]{3, 2, 2}, PIXELS), 16 + 10));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.read(img, labels()));
        assertTrue(e.getMessage().contains("short-idx3-ubyte"), e.getMessage());
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("12"), e.getMessage());

        Path gz = write("short.gz", gzip(Arrays.copyOf(idx(8, new int[]{3, 2, 2}, PIXELS), 16 + 10)));
        DatasetFormatException g = assertThrows(DatasetFormatException.class, () -> IdxReader.read(gz, labels()));
        assertTrue(g.getMessage().contains("short.gz") && g.getMessage().contains("truncated"), g.getMessage());

        Path header = write("header-only", new byte[]{0, 0, 8, 3, 0, 0});
        DatasetFormatException h = assertThrows(DatasetFormatException.class, () -> IdxReader.read(header, labels()));
        assertTrue(h.getMessage().contains("header-only") && h.getMessage().contains("header dimensions"),
                h.getMessage());
    }

    @Test
    void headerDeclaringATerabyteFailsBeforeAllocating() throws IOException {
        byte[] huge = idx(8, new int[]{1_000_000, 1000, 1000}, new byte[64]);
        Path plain = write("huge-idx3-ubyte", huge);
        Path gz = write("huge-idx3-ubyte.gz", gzip(huge));
        Path lbl = write("huge-labels", idx(8, new int[]{1_000_000}, new byte[1_000_000]));
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> {
            DatasetFormatException p = assertThrows(DatasetFormatException.class, () -> IdxReader.read(plain, lbl));
            assertTrue(p.getMessage().contains("huge-idx3-ubyte") && p.getMessage().contains("1000000000000"),
                    p.getMessage());
            DatasetFormatException g = assertThrows(DatasetFormatException.class, () -> IdxReader.read(gz, lbl));
            assertTrue(g.getMessage().contains("huge-idx3-ubyte.gz") && g.getMessage().contains("limit"),
                    g.getMessage());
        });
    }

    @Test
    void gzipHeaderDeclaringMoreThanTheDataFailsAsTruncated() throws IOException {
        Path gz = write("liar.gz", gzip(idx(8, new int[]{20_000, 100, 100}, new byte[300])));
        Path lbl = write("liar-labels", idx(8, new int[]{20_000}, new byte[20_000]));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.read(gz, lbl));
        assertTrue(e.getMessage().contains("liar.gz") && e.getMessage().contains("truncated")
                && e.getMessage().contains("200000000"), e.getMessage());
    }

    @Test
    void badMagicTypeAndRankAreNamed() throws IOException {
        byte[] wrongMagic = idx(8, new int[]{3, 2, 2}, PIXELS);
        wrongMagic[0] = 0x50;
        DatasetFormatException m = assertThrows(DatasetFormatException.class,
                () -> IdxReader.read(write("png-not-idx", wrongMagic), labels()));
        assertTrue(m.getMessage().contains("png-not-idx") && m.getMessage().contains("magic"), m.getMessage());

        DatasetFormatException t = assertThrows(DatasetFormatException.class,
                () -> IdxReader.read(write("floats", idx(0x0D, new int[]{3, 2, 2}, PIXELS)), labels()));
        assertTrue(t.getMessage().contains("0x0d"), t.getMessage());

        DatasetFormatException r = assertThrows(DatasetFormatException.class,
                () -> IdxReader.read(images(), images()));
        assertTrue(r.getMessage().contains("label file") && r.getMessage().contains("declares 3"), r.getMessage());
    }

    @Test
    void imageAndLabelCountsMustAgree() throws IOException {
        Path lbl = write("two-labels", idx(8, new int[]{2}, new byte[]{1, 2}));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.read(images(), lbl));
        assertTrue(e.getMessage().contains("3 images") && e.getMessage().contains("2 labels"), e.getMessage());
    }
}
