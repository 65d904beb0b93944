package dev.fineturn.models.arch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fineturn.io.NamedTensor;
import dev.fineturn.io.Safetensors;
import dev.fineturn.nn.Classifier;
import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads what src/test/python/make_arch_fixtures.py writes and checks a model against it. */
final class ArchFixtures {
    static final double LOGIT_TOLERANCE = 1e-4;

    private ArchFixtures() {
    }

    static Path committed() {
        try {
            return Path.of(ArchFixtures.class.getResource("/fixtures/arch").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(String name) {
        try {
            return new ObjectMapper().readTree(committed().resolve(name).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Tensor> read(Path file, Backend b) {
        try {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (NamedTensor t : Safetensors.read(file).tensors()) {
                out.put(t.name(), t.toTensor(b));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** max |actual - expected| / max |expected|. */
    static double relativeError(Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), "logit shape");
        float[] e = expected.toArray();
        float[] a = actual.toArray();
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < e.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs((double) a[i] - e[i]));
            maxRef = Math.max(maxRef, Math.abs(e[i]));
        }
        return maxDiff / maxRef;
    }

    /**
     * Loads {@code <name>.safetensors} strictly into the model, runs {@code <name>.io.safetensors}'s
     * input in eval mode, asserts the logits within {@link #LOGIT_TOLERANCE} and returns the error.
     */
    static double assertLogitsMatch(Path dir, String name, Classifier model, Backend b) {
        model.loadStateDict(read(dir.resolve(name + ".safetensors"), b), true);
        model.eval();
        Map<String, Tensor> io = read(dir.resolve(name + ".io.safetensors"), b);
        Tensor logits;
        try (var g = GradMode.noGrad()) {
            logits = model.forward(io.get("input"));
        }
        double err = relativeError(io.get("logits"), logits);
        double scale = maxAbs(io.get("logits"));
        System.out.printf("parity %s: max |logit| %.4f, max abs error %.2e, relative error %.2e%n", name, scale,
                err * scale, err);
        assertTrue(err < LOGIT_TOLERANCE, name + ": relative logit error " + err + " exceeds " + LOGIT_TOLERANCE);
        return err;
    }

    static double maxAbs(Tensor t) {
        double m = 0;
        for (float v : t.toArray()) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
