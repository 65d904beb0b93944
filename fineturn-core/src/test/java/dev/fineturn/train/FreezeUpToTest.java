package dev.fineturn.train;

import dev.fineturn.data.InMemoryDataset;
import dev.fineturn.nn.SmallCnn;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Partial fine-tuning by the name of the last frozen module. */
class FreezeUpToTest {
    private static final InMemoryDataset DATA = SyntheticTasks.orientationAndPeriod(64, 2);

    private static Map<String, Tensor> fit(Strategy s) {
        SmallCnn m = PretrainedSmallCnn.model();
        new Trainer(TrainConfig.defaultsFor(s).withEpochs(2).withBatchSize(16).withSeed(5)).fit(m, s, DATA, null);
        return m.stateDict();
    }

    @Test
    void freezingUpToANamedBlockEqualsFreezingThatManyBlocks() {
        Map<String, Tensor> byName = fit(Strategy.freezeUpTo("block1"));
        Map<String, Tensor> byCount = fit(Strategy.partial(2));
        Map<String, Tensor> pretrained = PretrainedSmallCnn.model().stateDict();
        for (String k : byName.keySet()) {
            assertArrayEquals(byCount.get(k).toArray(), byName.get(k).toArray(), k);
        }
        assertArrayEquals(pretrained.get("block1.0.weight").toArray(), byName.get("block1.0.weight").toArray(),
                "block1 is frozen");
        assertTrue(!java.util.Arrays.equals(pretrained.get("block2.0.weight").toArray(),
                byName.get("block2.0.weight").toArray()), "block2 trains");
    }

    @Test
    void parsingAndErrorsNameTheModule() {
        assertEquals(Strategy.freezeUpTo("layer2"), Strategy.parse("partial:layer2"));
        assertEquals(Strategy.partial(3), Strategy.parse("partial:3"));
        assertEquals("partial:layer2", Strategy.freezeUpTo("layer2").toString());
        var unknown = assertThrows(IllegalArgumentException.class, () -> fit(Strategy.freezeUpTo("block9")));
        assertTrue(unknown.getMessage().contains("no module 'block9'") && unknown.getMessage().contains("block2"),
                unknown.getMessage());
        var onlyHead = assertThrows(IllegalArgumentException.class, () -> fit(Strategy.freezeUpTo("pool")));
        assertTrue(onlyHead.getMessage().contains("use head instead"), onlyHead.getMessage());
    }
}
