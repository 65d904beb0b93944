package dev.fineturn.models.arch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Init;
import dev.fineturn.reference.ReferenceBackend;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** State-dict names and shapes equal torchvision 0.14's, as dumped in fixtures/arch/torchvision_keys.json. */
class TorchvisionKeysTest {
    private static final JsonNode KEYS = ArchFixtures.json("torchvision_keys.json");

    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "resnet34", "resnet50", "mobilenet_v2", "vgg11_bn", "vgg16_bn"})
    void sameNamesAndShapes(String name) {
        Init.useBackend(ReferenceBackend.get());
        Map<String, String> expected = new TreeMap<>();
        KEYS.get(name).fields().forEachRemaining(e -> expected.put(e.getKey(), e.getValue().toString()));
        Classifier model = Architectures.create(name, 1000);
        Map<String, String> actual = new TreeMap<>();
        model.stateDict().forEach((k, t) -> actual.put(k, Arrays.toString(t.shape()).replace(" ", "")));
        assertEquals(expected, actual);
    }
}
