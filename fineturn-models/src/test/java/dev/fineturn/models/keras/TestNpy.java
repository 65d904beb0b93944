package dev.fineturn.models.keras;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Reads the little-endian float32 .npy reference outputs that tfjs produced (test fixtures only). */
final class TestNpy {
    private TestNpy() {
    }

    record Array(int[] shape, float[] data) {
    }

    static Array read(String resource) throws IOException {
        try (InputStream in = TestNpy.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing " + resource);
            }
            byte[] all = in.readAllBytes();
            ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
            int major = all[6];
            int headerLen = major == 1 ? b.getShort(8) & 0xffff : b.getInt(8);
            int start = major == 1 ? 10 : 12;
            String header = new String(all, start, headerLen, StandardCharsets.ISO_8859_1);
            if (!header.contains("'<f4'")) {
                throw new IOException(resource + ": expected float32, header " + header);
            }
            String shapeText = header.substring(header.indexOf('(') + 1, header.indexOf(')'));
            int[] shape = java.util.Arrays.stream(shapeText.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .mapToInt(Integer::parseInt).toArray();
            int n = 1;
            for (int d : shape) {
                n *= d;
            }
            float[] data = new float[n];
            b.position(start + headerLen);
            b.asFloatBuffer().get(data);
            return new Array(shape, data);
        }
    }
}
