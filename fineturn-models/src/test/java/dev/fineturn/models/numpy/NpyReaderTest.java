package dev.fineturn.models.numpy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fineturn.io.NamedTensor;
import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.testing.Bytes;
import dev.fineturn.models.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Arrays written by np.save in every supported dtype, and hand-made headers that must be refused. */
class NpyReaderTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"f4", "f8", "f2", "i8", "i4", "u1", "b1", "be_f4", "be_i8", "scalar", "empty", "big3d",
            "v2", "v3"})
    void readsWhatNumpyWrote(String name) throws IOException {
        JsonNode e = Fixtures.expected().at("/npy/" + name);
        NamedTensor t = NpyReader.read(Fixtures.file(name + ".npy"));
        assertEquals(name, t.name());
        assertArrayEquals(Fixtures.ints(e.get("shape")), t.shape());
        assertArrayEquals(Fixtures.floats(e.get("data")), t.data());
    }

    @Test
    void convertsEachDtypeToTheRightFloats() throws IOException {
        assertArrayEquals(new float[]{-5, 0, 16777216, 123456792}, NpyReader.read(Fixtures.file("i8.npy")).data());
        assertArrayEquals(new float[]{-1, 2, 3, -2147483648f}, NpyReader.read(Fixtures.file("i4.npy")).data());
        assertArrayEquals(new float[]{0, 1, 200, 255}, NpyReader.read(Fixtures.file("u1.npy")).data());
        assertArrayEquals(new float[]{1, 0, 0, 1}, NpyReader.read(Fixtures.file("b1.npy")).data());
        assertArrayEquals(new float[]{1f, -2.5f, 3.75f, 1e-3f}, NpyReader.read(Fixtures.file("be_f4.npy")).data());
        assertArrayEquals(new float[]{-7, 1099511627776f}, NpyReader.read(Fixtures.file("be_i8.npy")).data());
        assertArrayEquals(new float[]{0.5f, -1f, 65504f}, Arrays.copyOf(NpyReader.read(Fixtures.file("f2.npy")).data(), 3));
        NamedTensor scalar = NpyReader.read(Fixtures.file("scalar.npy"));
        assertArrayEquals(new int[0], scalar.shape());
        assertArrayEquals(new float[]{4.5f}, scalar.data());
        assertArrayEquals(new int[]{0, 3}, NpyReader.read(Fixtures.file("empty.npy")).shape());
    }

    @Test
    void fortranOrderIsAClearError() {
        Path file = Fixtures.file("fortran.npy");
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> NpyReader.read(file));
        assertEquals(file + ": fortran_order is True (column-major data), which is not supported; save "
                + "np.ascontiguousarray(a) instead", e.getMessage());
    }

    /** A version-1 file with this header text (padded as numpy does) and these data bytes. */
    private Path npy(String header, byte[] data) throws IOException {
        return npy(1, header, data);
    }

    private Path npy(int major, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(12 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(NpyReader.MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) {
            b.putShort((short) h.length);
        } else {
            b.putInt(h.length);
        }
        b.put(h).put(data);
        Path f = dir.resolve("hand.npy");
        Files.write(f, Arrays.copyOf(b.array(), b.position()));
        return f;
    }

    private static void assertRefused(Path file, String problem) {
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> NpyReader.read(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), "expected '" + problem + "' in: " + e.getMessage());
    }

    @Test
    void aHandMadeHeaderReads() throws IOException {
        NamedTensor t = NpyReader.read(npy("{\"descr\": \"<f4\", 'shape': (2L,), 'fortran_order': False}\n",
                Bytes.floats(1.25f, -3f)));
        assertArrayEquals(new int[]{2}, t.shape());
        assertArrayEquals(new float[]{1.25f, -3f}, t.data());
    }

    @Test
    void badFilesNameTheProblem() throws IOException {
        String f4 = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }\n";
        assertRefused(npy(String.format(f4, "3,"), Bytes.floats(1, 2)), "data has 8 bytes but <f4 [3] needs 12");
        assertRefused(npy(String.format(f4, "1000000, 1000000"), new byte[0]),
                "shape [1000000, 1000000] has more elements than a Java array holds");
        assertRefused(npy(String.format(f4, "99999999999999999999,"), new byte[0]), "malformed header: not an integer");
        assertRefused(npy(String.format(f4, "-1,"), new byte[0]), "invalid dimension -1");
        assertRefused(npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new byte[8]),
                "unsupported dtype '<c8'; fineturn reads <f4 <f8 <f2 <i8 <i4 |u1 |b1");
        assertRefused(npy("{'descr': '|f4', 'fortran_order': False, 'shape': (1,), }", new byte[4]),
                "unsupported dtype '|f4'");
        assertRefused(npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", new byte[4]),
                "structured arrays are not supported");
        assertRefused(npy("{'descr': '<f4', 'shape': (1,), }", new byte[4]), "malformed header: the header has keys");
        assertRefused(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,) ", new byte[4]),
                "malformed header: expected ',' or '}'");
        assertRefused(npy("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,), }", new byte[4]),
                "malformed header: unexpected character 'M'");
        assertRefused(npy("[1, 2]", new byte[0]), "malformed header: the header is not a dict");
        assertRefused(npy(9, "{}", new byte[0]), "unsupported .npy format version 9.0");
    }

    @Test
    void lengthsPastTheEndAndTruncationAreRefused() throws IOException {
        byte[] good = Files.readAllBytes(Fixtures.file("f4.npy"));
        byte[] longHeader = good.clone();
        longHeader[8] = (byte) 0xff;
        longHeader[9] = (byte) 0xff;
        Path f = dir.resolve("long.npy");
        Files.write(f, longHeader);
        assertRefused(f, "header length 65535 runs past the end of the 152-byte array");
        Files.write(f, Arrays.copyOf(good, good.length - 1));
        assertRefused(f, "data has 23 bytes but <f4 [2, 3] needs 24");
        Files.write(f, Arrays.copyOf(good, 9));
        assertRefused(f, "too short for a .npy array (9 bytes)");
        Files.write(f, Arrays.copyOf(good, 60));
        assertRefused(f, "header length 118 runs past the end of the 60-byte array");
        Files.write(f, "not numpy at all".getBytes());
        assertRefused(f, "not a .npy array (no \\x93NUMPY magic)");
        assertRefused(npy(2, "{}", new byte[0]), "malformed header: the header has keys []");
    }
}
