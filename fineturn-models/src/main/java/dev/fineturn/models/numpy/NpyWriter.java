package dev.fineturn.models.numpy;

import dev.fineturn.io.NamedTensor;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Writes float32 arrays as {@code .npy} exactly as {@code np.save} does ({@code <f4}, C order,
 * the header padded to a multiple of 64 bytes), through a temporary file and an atomic rename.
 */
public final class NpyWriter {
    private static final int ALIGN = 64;
    private static final int CHUNK = 1 << 14;
    private static final int GROWTH_DIGITS = 21;

    private NpyWriter() {
    }

    public static void write(Path file, NamedTensor tensor) throws IOException {
        write(file, tensor.shape(), tensor.data());
    }

    public static void write(Path file, int[] shape, float[] data) throws IOException {
        checkShape(shape, data);
        dev.fineturn.io.AtomicFiles.write(file, out -> write(out, shape, data));
    }

    /** Writes the array to a stream (left open). */
    public static void write(OutputStream out, int[] shape, float[] data) throws IOException {
        checkShape(shape, data);
        out.write(header(shape));
        ByteBuffer chunk = ByteBuffer.allocate(4 * CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (int done = 0; done < data.length; done += CHUNK) {
            int n = Math.min(CHUNK, data.length - done);
            chunk.clear();
            chunk.asFloatBuffer().put(data, done, n);
            out.write(chunk.array(), 0, 4 * n);
        }
    }

    /**
     * Magic, version, header length and header dict, laid out as numpy 1.24 does: room for the
     * first dimension to grow to 21 digits, then spaces and a newline up to a multiple of 64 bytes.
     * Version 1.0 unless the header needs 2.0's 4-byte length.
     */
    static byte[] header(int[] shape) {
        StringBuilder dims = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            dims.append(i > 0 ? ", " : "").append(shape[i]);
        }
        dims.append(shape.length == 1 ? ",)" : ")");
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + dims + ", }";
        if (shape.length > 0) {
            dict += " ".repeat(Math.max(0, GROWTH_DIGITS - Integer.toString(shape[0]).length()));
        }
        int major = 1;
        int prefix = 10;
        int headerLength = padded(prefix, dict.length());
        if (headerLength > 0xffff) {
            major = 2;
            prefix = 12;
            headerLength = padded(prefix, dict.length());
        }
        ByteBuffer b = ByteBuffer.allocate(prefix + headerLength).order(ByteOrder.LITTLE_ENDIAN);
        b.put(NpyReader.MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) {
            b.putShort((short) headerLength);
        } else {
            b.putInt(headerLength);
        }
        b.put(dict.getBytes(StandardCharsets.ISO_8859_1));
        while (b.position() < b.capacity() - 1) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        return b.array();
    }

    /** The header length with its newline and padding; a full 64 bytes of padding when already aligned, as numpy. */
    private static int padded(int prefix, int dictLength) {
        int withNewline = dictLength + 1;
        return withNewline + ALIGN - (prefix + withNewline) % ALIGN;
    }

    private static void checkShape(int[] shape, float[] data) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("npy: negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("npy: shape " + Arrays.toString(shape) + " does not match "
                    + data.length + " values");
        }
    }
}
