package dev.fineturn.models.keras;

import dev.fineturn.io.WeightFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Files that cannot be imported fail with a message that names the file and the problem. */
class KerasH5ErrorsTest {
    @TempDir
    Path dir;

    private static void assertMentions(Exception e, Path file, String... parts) {
        String m = e.getMessage();
        assertTrue(m.contains(file.toString()), "message does not name " + file + ": " + m);
        for (String p : parts) {
            assertTrue(m.contains(p), "message lacks '" + p + "': " + m);
        }
    }

    /** A copy of small_cnn.h5 with every occurrence of {@code from} replaced by {@code to} (same length). */
    private Path patched(String from, String to) throws IOException {
        byte[] bytes = Files.readAllBytes(KerasH5Fixtures.path("small_cnn.h5"));
        byte[] f = from.getBytes(StandardCharsets.ISO_8859_1);
        byte[] t = to.getBytes(StandardCharsets.ISO_8859_1);
        int hits = 0;
        for (int i = 0; i + f.length <= bytes.length; i++) {
            if (java.util.Arrays.equals(bytes, i, i + f.length, f, 0, f.length)) {
                System.arraycopy(t, 0, bytes, i, t.length);
                hits++;
            }
        }
        assertTrue(hits > 0, "fixture lacks " + from);
        Path p = dir.resolve("patched.h5");
        Files.write(p, bytes);
        return p;
    }

    @Test
    void notAnHdf5File() throws IOException {
        Path p = dir.resolve("model.h5");
        Files.writeString(p, "{\"class_name\": \"Functional\"}");
        assertMentions(assertThrows(WeightFormatException.class, () -> KerasH5Model.load(p)), p, "not an HDF5 file");
    }

    @Test
    void missingFile() {
        Path p = dir.resolve("absent.h5");
        assertMentions(assertThrows(WeightFormatException.class, () -> KerasH5Model.load(p)), p, "no such file");
    }

    @Test
    void hdf5WithoutModelConfig() {
        Path p = KerasH5Fixtures.path("not_keras.h5");
        assertMentions(assertThrows(WeightFormatException.class, () -> KerasH5Model.load(p)), p,
                "no model_config", "not a Keras model file");
    }

    @Test
    void weightsOnlyFileAloneNamesTheTwoFileLoad() {
        Path p = KerasH5Fixtures.path("small_cnn_weights.h5");
        assertMentions(assertThrows(WeightFormatException.class, () -> KerasH5Model.load(p)), p,
                "weights-only", "load(architectureJson, weightsH5)");
    }

    @Test
    void layerMissingAWeight() {
        Path p = KerasH5Fixtures.path("small_cnn_missing_weight.h5");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> KerasH5Model.load(p)), p,
                "layer 'conv3' has no weight 'bias'");
    }

    @Test
    void weightOfTheWrongShape() {
        Path p = KerasH5Fixtures.path("small_cnn_wrong_shape.h5");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> KerasH5Model.load(p)), p,
                "fc1/fc1/kernel:0", "[12, 15]", "[12, 16]");
    }

    @Test
    void malformedModelConfig() throws IOException {
        Path p = patched("\"class_name\": \"Functional\"", "\"class_name\"} \"Functional\"");
        assertMentions(assertThrows(WeightFormatException.class, () -> KerasH5Model.load(p)), p,
                "model_config is not valid JSON");
    }

    @Test
    void otherKerasMajorVersions() throws IOException {
        Path p = patched("2.12.0", "3.12.0");
        assertMentions(assertThrows(WeightFormatException.class, () -> KerasH5Model.load(p)), p, "Keras 3.12.0");
    }

    @Test
    void theanoBackend() throws IOException {
        Path p = patched("tensorflow", "theano\0\0\0\0");
        assertMentions(assertThrows(WeightFormatException.class, () -> KerasH5Model.load(p)), p, "Theano");
    }

    @Test
    void architectureJsonProblems() throws IOException {
        Path weights = KerasH5Fixtures.path("small_cnn_weights.h5");
        Path bad = dir.resolve("model.json");
        Files.writeString(bad, "{\"class_name\": \"Functional\", \"config\": ");
        assertMentions(assertThrows(WeightFormatException.class, () -> KerasH5Model.load(bad, weights)), bad,
                "not valid JSON");
        Files.writeString(bad, "{\"format\": \"layers-model\"}");
        assertMentions(assertThrows(WeightFormatException.class, () -> KerasH5Model.load(bad, weights)), bad,
                "no Keras model config");
    }
}
