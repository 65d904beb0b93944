package dev.fineturn.models.arch;

import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Init;
import dev.fineturn.reference.ReferenceBackend;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ArchitecturesTest {
    @BeforeEach
    void onReference() {
        Init.useBackend(ReferenceBackend.get());
    }

    @Test
    void listsEveryName() {
        assertEquals(List.of("resnet18", "resnet34", "resnet50", "mobilenet_v2", "vgg11_bn", "vgg16_bn", "lenet"),
                Architectures.names());
    }

    @Test
    void createsByNameWithTheClassCount() {
        Classifier r = Architectures.create(" ResNet50 ", 7);
        assertInstanceOf(ResNet.class, r);
        assertEquals(7, r.numClasses());
        assertEquals(2048, r.featureSize());
        Classifier m = Architectures.create("mobilenet_v2", 3);
        assertInstanceOf(MobileNetV2.class, m);
        assertEquals(1280, m.featureSize());
        Classifier l = Architectures.create("lenet", 10);
        assertInstanceOf(LeNet.class, l);
        assertEquals(1, l.inputChannels());
        assertEquals(84, l.featureSize());
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Architectures.create("resnet101", 10));
        assertEquals("unknown architecture 'resnet101'; known: resnet18, resnet34, resnet50, mobilenet_v2, vgg11_bn, "
                + "vgg16_bn, lenet", e.getMessage());
    }

    @Test
    void rejectsZeroClasses() {
        assertThrows(IllegalArgumentException.class, () -> Architectures.create("resnet18", 0));
    }
}
