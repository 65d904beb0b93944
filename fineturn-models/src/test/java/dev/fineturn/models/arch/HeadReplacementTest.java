package dev.fineturn.models.arch;

import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Init;
import dev.fineturn.nn.Linear;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class HeadReplacementTest {
    private final Backend b = ReferenceBackend.get();

    @ParameterizedTest
    @CsvSource({"resnet18, fc, 512, 3, 32", "mobilenet_v2, classifier.1, 1280, 3, 32",
            "vgg11_bn, classifier.6, 4096, 3, 32", "lenet, classifier.4, 84, 1, 28"})
    void replaceHeadGivesTenOutputsAndKeepsTheBackbone(String name, String headPath, int featureSize, int channels,
                                                       int size) {
        Init.useBackend(b);
        Init.seed(5);
        Classifier model = Architectures.create(name, 1000);
        assertEquals(headPath, model.headPath());
        assertEquals(featureSize, model.featureSize());
        Map<String, Tensor> before = model.stateDict();

        Linear head = model.replaceHead(10);

        assertSame(head, model.module(headPath));
        assertEquals(10, model.numClasses());
        Map<String, Tensor> after = model.stateDict();
        assertEquals(before.keySet(), after.keySet());
        assertArrayEquals(new int[]{10, featureSize}, after.get(headPath + ".weight").shape());
        before.forEach((k, t) -> {
            if (!k.startsWith(headPath + ".")) {
                assertSame(t, after.get(k), k);
            }
        });

        model.eval();
        Tensor x = Tensor.randn(b, 9, 2, channels, size, size);
        try (var g = GradMode.noGrad()) {
            Tensor logits = model.forward(x);
            assertArrayEquals(new int[]{2, 10}, logits.shape());
            assertArrayEquals(head.forward(model.features(x)).toArray(), logits.toArray(), 0f);
        }
    }
}
