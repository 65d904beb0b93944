package dev.fineturn.models.numpy;

import dev.fineturn.io.NamedTensor;
import dev.fineturn.models.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NpyWriterTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"f4", "scalar", "empty", "big3d"})
    void writesTheSameBytesAsNumpy(String name) throws IOException {
        Path numpyFile = Fixtures.file(name + ".npy");
        NamedTensor t = NpyReader.read(numpyFile);
        Path ours = dir.resolve(name + ".npy");
        NpyWriter.write(ours, t);
        assertArrayEquals(Files.readAllBytes(numpyFile), Files.readAllBytes(ours));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file may be left behind");
        }
    }

    @Test
    void aHeaderTooLongForVersionOneUsesVersionTwo() throws IOException {
        int[] shape = new int[25_000];
        Arrays.fill(shape, 1);
        shape[0] = 2;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NpyWriter.write(out, shape, new float[]{0.5f, -7f});
        byte[] bytes = out.toByteArray();
        assertEquals(2, bytes[6], "major version");
        assertEquals(0, (bytes.length - 8) % 64, "data starts on a 64-byte boundary");
        Path f = dir.resolve("wide.npy");
        Files.write(f, bytes);
        NamedTensor back = NpyReader.read(f);
        assertArrayEquals(shape, back.shape());
        assertArrayEquals(new float[]{0.5f, -7f}, back.data());
    }

    @Test
    void roundTripsEveryFloat() throws IOException {
        float[] data = {0f, -0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NEGATIVE_INFINITY, 1e-30f, 3.14159f};
        Path f = dir.resolve("sub/dir/x.npy");
        NpyWriter.write(f, new int[]{7, 1}, data);
        NamedTensor back = NpyReader.read(f);
        assertArrayEquals(new int[]{7, 1}, back.shape());
        assertArrayEquals(data, back.data());
        float[] large = new float[100_000];
        for (int i = 0; i < large.length; i++) {
            large[i] = i * 0.25f - 7f;
        }
        NpyWriter.write(f, new int[]{250, 400}, large);
        assertArrayEquals(large, NpyReader.read(f).data());
    }

    @Test
    void aShapeThatDoesNotFitTheDataIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> NpyWriter.write(dir.resolve("x.npy"), new int[]{3}, new float[2]));
    }
}
