package dev.fineturn.models.pretrained;

import dev.fineturn.io.NamedTensor;
import dev.fineturn.io.Safetensors;
import dev.fineturn.models.arch.Architectures;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.match.WeightMatchException;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Init;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PretrainedTest {
    @TempDir
    Path dir;

    @BeforeEach
    void backend() {
        Init.useBackend(ReferenceBackend.get());
    }

    private Path saved(Classifier net) throws Exception {
        List<NamedTensor> ts = new ArrayList<>();
        net.stateDict().forEach((k, v) -> ts.add(NamedTensor.of(k, v)));
        Path f = dir.resolve("lenet.safetensors");
        Safetensors.write(f, ts, Map.of());
        return f;
    }

    @Test
    void loadKeepsTheBackboneAndGivesANewHeadForOtherClasses() throws Exception {
        Init.seed(5);
        Classifier source = Architectures.create("lenet", 10);
        Path f = saved(source);
        Init.seed(6);
        Classifier three = Pretrained.load("lenet", f, 3);
        assertEquals(3, three.numClasses());
        Map<String, Tensor> want = source.stateDict();
        Map<String, Tensor> got = three.stateDict();
        int same = 0;
        for (String k : got.keySet()) {
            if (Arrays.equals(want.get(k).shape(), got.get(k).shape())) {
                assertArrayEquals(want.get(k).toArray(), got.get(k).toArray(), k);
                same++;
            }
        }
        assertEquals(want.size() - 2, same, "all but the classifier's weight and bias come from the file");

        Pretrained.Loaded ten = Pretrained.loadReporting("lenet", f, 10);
        assertTrue(ten.report().isComplete(), ten.report().summary());
        for (var e : want.entrySet()) {
            assertArrayEquals(e.getValue().toArray(), ten.model().stateDict().get(e.getKey()).toArray(), e.getKey());
        }
    }

    @Test
    void weightsOfAnotherNetworkAreRefused() throws Exception {
        Init.seed(5);
        Path f = saved(Architectures.create("lenet", 10));
        assertThrows(WeightMatchException.class, () -> Pretrained.load("resnet18", f, 4));
    }

    @Test
    void theBundledMobileNetV2IsReachableFromUserCode() throws Exception {
        GraphModel m = Pretrained.mobilenetV2();
        assertEquals(5, m.numClasses(), "the publisher's five classes");
        assertEquals(3, m.inputChannels());
        assertFalse(m.children().isEmpty());
        assertEquals(5, m.truncate("block_3_expand_relu", 5, 32).numClasses());
    }

    private static final class Arrays {
        static boolean equals(int[] a, int[] b) {
            return java.util.Arrays.equals(a, b);
        }
    }
}
