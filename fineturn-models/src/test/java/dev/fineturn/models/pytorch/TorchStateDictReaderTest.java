package dev.fineturn.models.pytorch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fineturn.io.NamedTensor;
import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.testing.Fixtures;
import dev.fineturn.models.testing.TinyNet;
import dev.fineturn.nn.Layer;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** State dicts written by real torch.save (see make_pth_fixtures.py), read back value for value. */
class TorchStateDictReaderTest {
    private static void assertMatchesExpected(JsonNode expected, List<NamedTensor> tensors) {
        List<String> names = new ArrayList<>();
        expected.fieldNames().forEachRemaining(names::add);
        assertEquals(names.size(), tensors.size(), "tensor count");
        Map<String, NamedTensor> byName = new HashMap<>();
        tensors.forEach(t -> byName.put(t.name(), t));
        for (Map.Entry<String, JsonNode> e : expected.properties()) {
            NamedTensor t = byName.get(e.getKey());
            assertArrayEquals(Fixtures.ints(e.getValue().get("shape")), t.shape(), e.getKey() + " shape");
            assertArrayEquals(Fixtures.floats(e.getValue().get("data")), t.data(), e.getKey() + " values");
        }
    }

    @Test
    void readsATorchSavedStateDictInOrder() throws IOException {
        List<NamedTensor> tensors = TorchStateDictReader.read(Fixtures.file("tiny.pth"));
        assertEquals(List.of("0.weight", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                "1.num_batches_tracked", "5.weight", "5.bias"), tensors.stream().map(NamedTensor::name).toList());
        assertMatchesExpected(Fixtures.expected().at("/tiny/tensors"), tensors);
        assertArrayEquals(new int[]{4, 3, 3, 3}, tensors.getFirst().shape());
        assertArrayEquals(new float[]{7f}, tensors.get(5).data(), "num_batches_tracked, an int64 scalar");
    }

    @Test
    void loadedWeightsReproduceTheTorchModelsOutput() throws IOException {
        Layer net = TinyNet.create();
        Layer.LoadResult r = net.loadStateDict(toTensors(TorchStateDictReader.read(Fixtures.file("tiny.pth"))), true);
        assertEquals(8, r.loaded().size());
        net.eval();
        JsonNode fx = Fixtures.expected().get("tiny");
        Tensor input = Tensor.of(Fixtures.floats(fx.at("/input/data")), Fixtures.ints(fx.at("/input/shape")));
        float[] expected = Fixtures.floats(fx.at("/output/data"));
        float[] actual = net.forward(input).toArray();
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5, "logit " + i);
        }
    }

    private static Map<String, Tensor> toTensors(List<NamedTensor> tensors) {
        Map<String, Tensor> m = new HashMap<>();
        tensors.forEach(t -> m.put(t.name(), Tensor.of(t.data(), t.shape())));
        return m;
    }

    @Test
    void findsTheModelDictInsideACheckpointWithViewsAndMixedDtypes() throws IOException {
        List<NamedTensor> tensors = TorchStateDictReader.read(Fixtures.file("nested.pth"));
        assertMatchesExpected(Fixtures.expected().at("/nested/tensors"), tensors);
        Map<String, NamedTensor> m = new HashMap<>();
        tensors.forEach(t -> m.put(t.name(), t));
        // Independent of the JSON: base = arange(24) * 0.5 - 3, and views into it.
        assertArrayEquals(new float[]{-0.5f, 0f, 0.5f, 1f, 1.5f, 2f}, m.get("module.features.0.bias").data());
        assertArrayEquals(new int[]{3, 2}, m.get("module.features.1.weight").shape());
        assertArrayEquals(new float[]{3f, 4f, 5f, 6f, 7f, 8f}, m.get("module.features.1.weight").data());
        assertArrayEquals(new int[]{5, 3}, m.get("module.features.0.weight").shape());
        assertArrayEquals(new float[]{0.5f, -1.25f, 65504f}, Arrays.copyOf(m.get("module.half").data(), 3));
        assertArrayEquals(new float[]{1.5f, -2.25f, 299008f}, m.get("module.bf16").data(), "3e5 rounded to bfloat16");
        assertArrayEquals(new float[]{0.1f, 0.2f, 1e-3f, 7f}, m.get("module.double").data());
        assertArrayEquals(new int[0], m.get("module.bn.num_batches_tracked").shape());
        assertArrayEquals(new float[]{12345f}, m.get("module.bn.num_batches_tracked").data());
        assertArrayEquals(new float[]{-3f, 7f, 1048576f}, m.get("module.ints").data());
        assertArrayEquals(new float[]{0f, 255f, 7f}, m.get("module.bytes").data());
        assertArrayEquals(new float[]{1f, 0f, 1f}, m.get("module.mask").data());
        assertArrayEquals(new int[]{2, 2}, m.get("module.param").shape());
    }

    @Test
    void theTransposedTensorIsReadThroughItsStrides() throws IOException {
        float[] storage;
        try (ZipFile zip = new ZipFile(Fixtures.file("nested.pth").toFile())) {
            byte[] pickle = zip.getInputStream(zip.getEntry("nested/data.pkl")).readAllBytes();
            Map<?, ?> top = (Map<?, ?>) new RestrictedUnpickler(Path.of("nested.pth"), "data.pkl", pickle,
                    new TorchObjects()).load();
            TensorRef ref = (TensorRef) ((Map<?, ?>) top.get("model")).get("module.features.0.weight");
            assertArrayEquals(new long[]{1, 5}, ref.stride());
            byte[] raw = zip.getInputStream(zip.getEntry("nested/data/" + ref.storage().key())).readAllBytes();
            storage = new float[raw.length / 4];
            ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(storage);
        }
        assertEquals(15, storage.length, "the [3, 5] original");
        NamedTensor t = TorchStateDictReader.read(Fixtures.file("nested.pth")).getFirst();
        assertEquals("module.features.0.weight", t.name());
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(storage[j * 5 + i], t.data()[i * 3 + j], "element (" + i + ", " + j + ")");
            }
        }
    }

    @Test
    void readsPickleProtocolFour() throws IOException {
        assertMatchesExpected(Fixtures.expected().at("/tiny/tensors"), TorchStateDictReader.read(Fixtures.file("proto4.pth")));
    }

    @Test
    void anAmbiguousCheckpointNamesItsCandidatesAndAKeyPicksOne() throws IOException {
        Path file = Fixtures.file("ambiguous.pth");
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> TorchStateDictReader.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("[encoder, decoder]"), e.getMessage());
        List<NamedTensor> decoder = TorchStateDictReader.read(file, "decoder");
        assertEquals(1, decoder.size());
        assertArrayEquals(new int[]{2, 1}, decoder.getFirst().shape());
        assertArrayEquals(new float[]{3f, 4f}, decoder.getFirst().data());
        WeightFormatException missing = assertThrows(WeightFormatException.class,
                () -> TorchStateDictReader.read(file, "model"));
        assertTrue(missing.getMessage().contains("top-level keys: [encoder, decoder]"), missing.getMessage());
    }

    @Test
    void theLegacyFormatIsRejectedWithAdviceToResave() {
        Path file = Fixtures.file("legacy.pth");
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> TorchStateDictReader.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("legacy PyTorch format"), e.getMessage());
        assertTrue(e.getMessage().contains("re-save it with a newer torch"), e.getMessage());
    }

    @Test
    void aPickleCallingOsSystemIsRefusedByName() {
        Path file = Fixtures.file("malicious.pth");
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> TorchStateDictReader.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("archive/data.pkl byte 2: refusing the Python global 'os.system'"),
                e.getMessage());
    }
}
