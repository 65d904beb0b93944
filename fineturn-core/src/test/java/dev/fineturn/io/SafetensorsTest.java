package dev.fineturn.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {
    @TempDir
    Path dir;

    /** Builds a file by hand, independently of the writer. */
    private Path handMade(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path f = dir.resolve("hand.safetensors");
        Files.write(f, b.array());
        return f;
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    @Test
    void readsAHandMadeFileWithSeveralDtypes() throws IOException {
        ByteBuffer f16 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        f16.putShort(Float.floatToFloat16(1.5f)).putShort(Float.floatToFloat16(-2f));
        byte[] a = floats(1f, 2f, 3f, 4f, 5f, 6f);
        byte[] data = new byte[a.length + 4];
        System.arraycopy(a, 0, data, 0, a.length);
        System.arraycopy(f16.array(), 0, data, a.length, 4);
        Path f = handMade("{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"conv.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                + "\"bn.bias\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[24,28]}}", data);
        Safetensors.Contents c = Safetensors.read(f);
        assertEquals("pt", c.metadata().get("format"));
        Map<String, NamedTensor> m = c.byName();
        assertArrayEquals(new int[]{2, 3}, m.get("conv.weight").shape());
        assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6}, m.get("conv.weight").data());
        assertArrayEquals(new float[]{1.5f, -2f}, m.get("bn.bias").data());
    }

    @Test
    void writeThenReadRoundTrips() throws IOException {
        Path f = dir.resolve("model.safetensors");
        List<NamedTensor> ts = List.of(new NamedTensor("a", new int[]{2, 2}, new float[]{1, -2, 3.5f, 1e-9f}),
                new NamedTensor("b.c", new int[]{}, new float[]{7}));
        Safetensors.write(f, ts, Map.of("arch", "lenet"));
        Safetensors.Contents c = Safetensors.read(f);
        assertEquals("lenet", c.metadata().get("arch"));
        assertEquals(2, c.tensors().size());
        assertArrayEquals(ts.get(0).data(), c.byName().get("a").data());
        assertArrayEquals(new int[0], c.byName().get("b.c").shape());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file may be left behind");
        }
    }

    @Test
    void badInputsFailWithTheFileAndTheProblem() throws IOException {
        Path tiny = dir.resolve("tiny");
        Files.write(tiny, new byte[3]);
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> Safetensors.read(tiny));
        assertTrue(e.getMessage().contains("tiny") && e.getMessage().contains("too short"), e.getMessage());

        Path huge = dir.resolve("huge");
        Files.write(huge, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array());
        e = assertThrows(WeightFormatException.class, () -> Safetensors.read(huge));
        assertTrue(e.getMessage().contains("header length"), e.getMessage());

        e = assertThrows(WeightFormatException.class, () -> Safetensors.read(handMade("{not json", new byte[0])));
        assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());

        e = assertThrows(WeightFormatException.class, () -> Safetensors.read(handMade(
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,400]}}", floats(1, 2, 3, 4))));
        assertTrue(e.getMessage().contains("outside"), e.getMessage());

        e = assertThrows(WeightFormatException.class, () -> Safetensors.read(handMade(
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", floats(1, 2, 3, 4))));
        assertTrue(e.getMessage().contains("needs 12 bytes"), e.getMessage());

        e = assertThrows(WeightFormatException.class, () -> Safetensors.read(handMade(
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647],\"data_offsets\":[0,16]}}",
                floats(1, 2, 3, 4))));
        assertTrue(e.getMessage().contains("larger than a tensor can hold"), e.getMessage());

        e = assertThrows(WeightFormatException.class, () -> Safetensors.read(handMade(
                "{\"w\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8])));
        assertTrue(e.getMessage().contains("unsupported dtype 'C64'"), e.getMessage());
    }
}
