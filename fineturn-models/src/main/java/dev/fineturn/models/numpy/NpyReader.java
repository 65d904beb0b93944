package dev.fineturn.models.numpy;

import dev.fineturn.io.NamedTensor;
import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.format.Printable;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads NumPy {@code .npy} arrays (format versions 1, 2 and 3) as float32: dtypes {@code f4 f8 f2
 * i8 i4 u1 b1} in either byte order, C order only. The header's shape is checked against the
 * bytes that follow before the array is allocated, and the data is converted in chunks.
 */
public final class NpyReader {
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int MAX_HEADER = 1 << 20;
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
    private static final int CHUNK = 1 << 16;

    private NpyReader() {
    }

    /** The array, named after the file without its extension. */
    public static NamedTensor read(Path file) throws IOException {
        String name = file.getFileName().toString().replaceFirst("\\.npy$", "");
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            return read(in, Files.size(file), name, file, "");
        }
    }

    /**
     * Reads one array of {@code length} bytes from a stream; problems name {@code file} and start
     * with {@code where} (an npz entry, or empty).
     */
    static NamedTensor read(InputStream in, long length, String name, Path file, String where) throws IOException {
        try {
            return parse(in, length, name, file, where);
        } catch (WeightFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new WeightFormatException(file, where + "cannot be read (" + Printable.cause(e) + ")", e);
        }
    }

    private static NamedTensor parse(InputStream in, long length, String name, Path file, String where)
            throws IOException {
        if (length < 10) {
            throw new WeightFormatException(file, where + "too short for a .npy array (" + length + " bytes)");
        }
        byte[] prefix = readExactly(in, 8, file, where);
        if (!Arrays.equals(prefix, 0, 6, MAGIC, 0, 6)) {
            throw new WeightFormatException(file, where + "not a .npy array (no \\x93NUMPY magic)");
        }
        int major = prefix[6] & 0xff;
        int minor = prefix[7] & 0xff;
        if (major < 1 || major > 3) {
            throw new WeightFormatException(file, where + "unsupported .npy format version " + major + "." + minor);
        }
        int lengthBytes = major == 1 ? 2 : 4;
        ByteBuffer lengthField = ByteBuffer.wrap(readExactly(in, lengthBytes, file, where))
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long headerLength = major == 1 ? lengthField.getShort() & 0xffff : lengthField.getInt() & 0xffffffffL;
        long dataStart = 8 + lengthBytes + headerLength;
        if (dataStart > length) {
            throw new WeightFormatException(file, where + "header length " + headerLength + " runs past the end of the "
                    + length + "-byte array");
        }
        if (headerLength > MAX_HEADER) {
            throw new WeightFormatException(file, where + "header length " + headerLength + " is larger than the "
                    + MAX_HEADER + " bytes allowed");
        }
        byte[] headerBytes = readExactly(in, (int) headerLength, file, where);
        String text = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        NpyHeader header;
        try {
            header = NpyHeader.parse(text);
        } catch (IllegalArgumentException e) {
            throw new WeightFormatException(file, where + "malformed header: " + e.getMessage());
        }
        NpyDType dtype = NpyDType.parse(header.descr());
        if (dtype == null) {
            throw new WeightFormatException(file, where + "unsupported dtype '" + Printable.text(header.descr()) + "'; fineturn reads "
                    + NpyDType.SUPPORTED);
        }
        if (header.fortranOrder()) {
            throw new WeightFormatException(file, where + "fortran_order is True (column-major data), which is not "
                    + "supported; save np.ascontiguousarray(a) instead");
        }
        int[] shape = checkedShape(header.shape(), file, where);
        int count = 1;
        for (int d : shape) {
            count *= d;
        }
        long needed = (long) count * dtype.type().bytes();
        if (length - dataStart != needed) {
            throw new WeightFormatException(file, where + "data has " + (length - dataStart) + " bytes but "
                    + Printable.text(header.descr()) + " " + Arrays.toString(shape) + " needs " + needed);
        }
        return new NamedTensor(name, shape, readData(in, dtype, count, file, where));
    }

    private static int[] checkedShape(long[] dims, Path file, String where) throws WeightFormatException {
        int[] shape = new int[dims.length];
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] > MAX_ARRAY) {
                throw new WeightFormatException(file, where + "shape " + Arrays.toString(dims) + " has a dimension "
                        + "too large for a Java array");
            }
            shape[i] = (int) dims[i];
            count *= dims[i];
            if (count > MAX_ARRAY) {
                throw new WeightFormatException(file, where + "shape " + Arrays.toString(dims) + " has more elements "
                        + "than a Java array holds");
            }
        }
        return shape;
    }

    private static float[] readData(InputStream in, NpyDType dtype, int count, Path file, String where)
            throws IOException {
        float[] out = new float[count];
        int perChunk = CHUNK / dtype.type().bytes();
        for (int done = 0; done < count; done += perChunk) {
            int n = Math.min(perChunk, count - done);
            ByteBuffer chunk = ByteBuffer.wrap(readExactly(in, n * dtype.type().bytes(), file, where))
                    .order(dtype.order());
            dtype.type().readInto(chunk, out, done, n);
        }
        return out;
    }

    private static byte[] readExactly(InputStream in, int n, Path file, String where) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new WeightFormatException(file, where + "truncated: expected " + n + " more bytes, found "
                    + b.length);
        }
        return b;
    }
}
