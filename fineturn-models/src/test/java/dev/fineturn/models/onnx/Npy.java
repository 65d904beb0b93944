package dev.fineturn.models.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Reads the little-endian float32 .npy arrays that make_onnx_fixtures.py writes. */
record Npy(int[] shape, float[] data) {
    static Npy read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int major = all[6];
        int headerLen = major == 1 ? b.getShort(8) & 0xffff : b.getInt(8);
        int start = major == 1 ? 10 : 12;
        String header = new String(all, start, headerLen, StandardCharsets.ISO_8859_1);
        if (!header.contains("'<f4'") || header.contains("'fortran_order': True")) {
            throw new IOException(file + ": expected C-order float32, header " + header);
        }
        String dims = header.substring(header.indexOf('(') + 1, header.indexOf(')'));
        int[] shape = Arrays.stream(dims.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .mapToInt(Integer::parseInt).toArray();
        float[] data = new float[Arrays.stream(shape).reduce(1, (x, y) -> x * y)];
        b.position(start + headerLen);
        b.asFloatBuffer().get(data);
        return new Npy(shape, data);
    }
}
