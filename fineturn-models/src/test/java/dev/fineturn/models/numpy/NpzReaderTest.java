package dev.fineturn.models.numpy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fineturn.io.NamedTensor;
import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.testing.Fixtures;
import dev.fineturn.models.testing.ZipBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpzReaderTest {
    @TempDir
    Path dir;

    private static void assertMatches(JsonNode expected, List<NamedTensor> tensors) {
        List<String> names = new java.util.ArrayList<>();
        expected.fieldNames().forEachRemaining(names::add);
        assertEquals(names.stream().sorted().toList(), tensors.stream().map(NamedTensor::name).sorted().toList());
        for (NamedTensor t : tensors) {
            assertArrayEquals(Fixtures.ints(expected.at("/" + t.name() + "/shape")), t.shape(), t.name());
            assertArrayEquals(Fixtures.floats(expected.at("/" + t.name() + "/data")), t.data(), t.name());
        }
    }

    @Test
    void readsSavezInArchiveOrder() throws IOException {
        List<NamedTensor> t = NpzReader.read(Fixtures.file("arrays.npz"));
        assertEquals(List.of("conv.weight", "conv.bias", "steps"), t.stream().map(NamedTensor::name).toList());
        assertMatches(Fixtures.expected().at("/npz/arrays"), t);
        assertArrayEquals(new int[]{2, 3, 4}, t.getFirst().shape());
    }

    @Test
    void readsSavezCompressed() throws IOException {
        List<NamedTensor> t = NpzReader.read(Fixtures.file("compressed.npz"));
        assertMatches(Fixtures.expected().at("/npz/compressed"), t);
        assertArrayEquals(new float[]{0.5f, -1f}, t.get(1).data());
    }

    private Path zip(ZipBuilder b) throws IOException {
        Path f = dir.resolve("x.npz");
        Files.write(f, b.build());
        return f;
    }

    private static void assertRefused(Path file, String problem) {
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> NpzReader.read(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), "expected '" + problem + "' in: " + e.getMessage());
    }

    @Test
    void entriesThatAreNotArraysAreSkippedAndBadOnesNamed() throws IOException {
        byte[] f4 = Files.readAllBytes(Fixtures.file("f4.npy"));
        List<NamedTensor> t = NpzReader.read(zip(new ZipBuilder().stored("README", "hello").deflated("w/x.npy", f4)));
        assertEquals(List.of("w/x"), t.stream().map(NamedTensor::name).toList());
        byte[] broken = f4.clone();
        broken[0] = 'X';
        assertRefused(zip(new ZipBuilder().stored("a.npy", f4).stored("b.npy", broken)),
                "zip entry 'b.npy': not a .npy array");
        assertRefused(zip(new ZipBuilder().deflated("c.npy", java.util.Arrays.copyOf(f4, 100))),
                "zip entry 'c.npy': header length 118 runs past the end of the 100-byte array");
        assertRefused(zip(new ZipBuilder().stored("notes.txt", "x")), "the archive holds no .npy arrays");
        assertRefused(zip(new ZipBuilder().stored("../x.npy", f4)), "zip entry '../x.npy' has an unsafe path");
        byte[] whole = Files.readAllBytes(Fixtures.file("arrays.npz"));
        Path cut = dir.resolve("cut.npz");
        Files.write(cut, java.util.Arrays.copyOf(whole, whole.length - 30));
        assertRefused(cut, "not a readable zip archive");
    }
}
