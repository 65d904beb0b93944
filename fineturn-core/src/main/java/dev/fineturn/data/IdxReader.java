package dev.fineturn.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST: an unsigned-byte image file
 * ({@code idx3-ubyte}: count, rows, columns) and a label file ({@code idx1-ubyte}: count), plain
 * or gzip-compressed. Headers are checked against the file before anything is allocated, and
 * memory grows only with data actually read, so a lying header fails with a message instead of
 * exhausting memory.
 */
public final class IdxReader {
    private static final int UNSIGNED_BYTE = 0x08;
    private static final int CHUNK = 1 << 20;

    private IdxReader() {
    }

    /** Every sample, as 1xHxW images scaled to [0, 1]; classes are inferred from the largest label. */
    public static InMemoryDataset read(Path images, Path labels) throws IOException {
        return read(images, labels, Integer.MAX_VALUE);
    }

    /** The first {@code limit} samples. */
    public static InMemoryDataset read(Path images, Path labels, int limit) throws IOException {
        if (limit < 1) {
            throw new IllegalArgumentException("IdxReader: limit " + limit + " must be at least 1");
        }
        try (InputStream imageIn = DataFiles.open(images); InputStream labelIn = DataFiles.open(labels)) {
            int[] imageDims = header(images, imageIn, 3, "an image file (count, rows, columns)");
            int[] labelDims = header(labels, labelIn, 1, "a label file (count)");
            if (imageDims[0] != labelDims[0]) {
                throw new DatasetFormatException(images, "holds " + imageDims[0] + " images but the label file "
                        + labels + " holds " + labelDims[0] + " labels");
            }
            int count = Math.min(imageDims[0], limit);
            long pixels = (long) count * imageDims[1] * imageDims[2];
            if (pixels > DataFiles.MAX_ARRAY) {
                throw new DatasetFormatException(images, count + " images of " + imageDims[1] + "x" + imageDims[2]
                        + " are " + pixels + " pixels, more than one array holds (" + DataFiles.MAX_ARRAY
                        + "); pass a smaller limit");
            }
            byte[] imageBytes = readBytes(images, imageIn, (int) pixels, "pixel data");
            byte[] labelBytes = readBytes(labels, labelIn, count, "labels");
            float[] values = new float[imageBytes.length];
            for (int i = 0; i < values.length; i++) {
                values[i] = (imageBytes[i] & 0xff) / 255f;
            }
            int[] classes = new int[count];
            for (int i = 0; i < count; i++) {
                classes[i] = labelBytes[i] & 0xff;
            }
            return InMemoryDataset.withInferredClasses(values, classes, new int[]{1, imageDims[1], imageDims[2]});
        }
    }

    /** Reads and checks the magic number and dimensions; returns the dimensions. */
    private static int[] header(Path file, InputStream in, int rank, String expected) throws IOException {
        byte[] magic = readBytes(file, in, 4, "magic number");
        if (magic[0] != 0 || magic[1] != 0) {
            throw new DatasetFormatException(file, String.format(
                    "not an IDX file: the magic number must start with two zero bytes, found 0x%02x%02x%02x%02x",
                    magic[0], magic[1], magic[2], magic[3]));
        }
        if (magic[2] != UNSIGNED_BYTE) {
            throw new DatasetFormatException(file, String.format(
                    "IDX element type 0x%02x is not supported; only unsigned bytes (0x08) are", magic[2]));
        }
        if (magic[3] != rank) {
            throw new DatasetFormatException(file, "expected " + expected + " with " + rank + " dimension"
                    + (rank == 1 ? "" : "s") + ", but the header declares " + (magic[3] & 0xff));
        }
        byte[] raw = readBytes(file, in, 4 * rank, "header dimensions");
        int[] dims = new int[rank];
        long declared = 1;
        for (int d = 0; d < rank; d++) {
            long v = ((raw[4 * d] & 0xffL) << 24) | ((raw[4 * d + 1] & 0xffL) << 16)
                    | ((raw[4 * d + 2] & 0xffL) << 8) | (raw[4 * d + 3] & 0xffL);
            if (v < 1 || v > Integer.MAX_VALUE) {
                throw new DatasetFormatException(file, "dimension " + d + " is " + v + ", not a valid size");
            }
            dims[d] = (int) v;
            declared = declared > Long.MAX_VALUE / v ? Long.MAX_VALUE : declared * v;
        }
        checkFileSize(file, 4 + 4L * rank, declared);
        return dims;
    }

    /** For uncompressed files, the declared data must be exactly what follows the header. */
    private static void checkFileSize(Path file, long headerBytes, long declared) throws IOException {
        if (DataFiles.isGzip(file)) {
            return;
        }
        long available = Files.size(file) - headerBytes;
        if (declared > available) {
            throw new DatasetFormatException(file, "truncated: the header declares " + declared
                    + " bytes of data but only " + available + " follow it");
        }
        if (declared < available) {
            throw new DatasetFormatException(file, "the header declares " + declared + " bytes of data but "
                    + available + " follow it");
        }
    }

    /** Exactly {@code n} bytes, growing the buffer only as data arrives. */
    private static byte[] readBytes(Path file, InputStream in, int n, String what) throws IOException {
        byte[] buf = new byte[Math.min(n, CHUNK)];
        int filled = 0;
        try {
            while (filled < n) {
                if (filled == buf.length) {
                    buf = Arrays.copyOf(buf, (int) Math.min(n, 2L * buf.length));
                }
                int r = in.read(buf, filled, buf.length - filled);
                if (r < 0) {
                    throw new DatasetFormatException(file, "truncated: expected " + n + " bytes of " + what
                            + " but the file ends after " + filled);
                }
                filled += r;
            }
        } catch (EOFException e) {
            throw new DatasetFormatException(file, "truncated gzip data after " + filled + " of " + n
                    + " expected bytes of " + what, e);
        } catch (DatasetFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new DatasetFormatException(file, "cannot read " + what + ": " + e.getMessage(), e);
        }
        return buf;
    }
}
