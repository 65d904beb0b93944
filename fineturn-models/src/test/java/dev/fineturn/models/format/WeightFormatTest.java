package dev.fineturn.models.format;

import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.testing.Fixtures;
import dev.fineturn.models.testing.ZipBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WeightFormatTest {
    private static final byte[] HDF5 = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"tiny.pth, PYTORCH", "nested.pth, PYTORCH", "proto4.pth, PYTORCH", "malicious.pth, PYTORCH",
            "legacy.pth, PYTORCH_LEGACY", "f4.npy, NPY", "v3.npy, NPY", "arrays.npz, NPZ", "compressed.npz, NPZ",
            "tiny.safetensors, SAFETENSORS", "tiny.onnx, ONNX", "model.json, TFJS"})
    void recognisesEachFixture(String file, WeightFormat format) throws IOException {
        assertEquals(format, WeightFormat.detect(Fixtures.file(file)));
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    @Test
    void theContentDecidesNotTheExtension() throws IOException {
        assertEquals(WeightFormat.PYTORCH, WeightFormat.detect(write("weights.npz",
                Files.readAllBytes(Fixtures.file("tiny.pth")))));
        assertEquals(WeightFormat.NPZ, WeightFormat.detect(write("weights.pth",
                Files.readAllBytes(Fixtures.file("arrays.npz")))));
        assertEquals(WeightFormat.SAFETENSORS, WeightFormat.detect(write("model.bin",
                Files.readAllBytes(Fixtures.file("tiny.safetensors")))));
    }

    @Test
    void recognisesKerasFilesAndTorchScript() throws IOException {
        byte[] h5 = Arrays.copyOf(HDF5, 600);
        assertEquals(WeightFormat.KERAS_H5, WeightFormat.detect(write("model.h5", h5)));
        byte[] userBlock = new byte[1200];
        System.arraycopy(HDF5, 0, userBlock, 512, HDF5.length);
        assertEquals(WeightFormat.KERAS_H5, WeightFormat.detect(write("block.h5", userBlock)));
        assertEquals(WeightFormat.KERAS_V3, WeightFormat.detect(write("model.keras", new ZipBuilder()
                .stored("metadata.json", "{}").stored("config.json", "{}").stored("model.weights.h5", h5).build())));
        assertEquals(WeightFormat.TORCHSCRIPT, WeightFormat.detect(write("script.pt", new ZipBuilder()
                .stored("m/data.pkl", new byte[]{(byte) 0x80, 2, '.'}).stored("m/constants.pkl", new byte[0])
                .stored("m/code/__torch__.py", "").build())));
    }

    @Test
    void aTfjsFolderIsRecognisedByItsModelJson() throws IOException {
        Files.copy(Fixtures.file("model.json"), dir.resolve("model.json"));
        assertEquals(WeightFormat.TFJS, WeightFormat.detect(dir));
        Path empty = Files.createDirectory(dir.resolve("empty"));
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> WeightFormat.detect(empty));
        assertEquals(empty + ": a folder without a TF.js model.json", e.getMessage());
    }

    private void assertUnknown(Path file, String problem) {
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> WeightFormat.detect(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), "expected '" + problem + "' in: " + e.getMessage());
    }

    @Test
    void anythingElseIsAnUnknownFormatNamingTheFile() throws IOException {
        assertUnknown(write("notes.txt", "hello weights".getBytes(StandardCharsets.UTF_8)),
                "unknown weight format, starting with bytes 68 65 6c 6c 6f");
        assertUnknown(write("empty.bin", new byte[0]), "unknown weight format");
        assertUnknown(write("config.json", "{\"layers\": []}".getBytes(StandardCharsets.UTF_8)), "unknown weight format");
        assertUnknown(write("data.pkl", new byte[]{(byte) 0x80, 2, '}', '.'}), "a Python pickle, but not a torch.save");
        byte[] onnx = Files.readAllBytes(Fixtures.file("tiny.onnx"));
        assertUnknown(write("cut.onnx", Arrays.copyOf(onnx, onnx.length - 3)), "unknown weight format");
        assertUnknown(write("other.zip", new ZipBuilder().stored("a.txt", "x").build()),
                "a zip archive with neither a PyTorch data.pkl, NumPy .npy entries nor a Keras model.weights.h5");
        byte[] lyingSafetensors = Arrays.copyOf(Files.readAllBytes(Fixtures.file("tiny.safetensors")), 40);
        assertUnknown(write("short.safetensors", lyingSafetensors), "unknown weight format");
    }
}
