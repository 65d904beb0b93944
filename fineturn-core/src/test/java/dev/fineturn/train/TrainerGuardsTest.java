package dev.fineturn.train;

import dev.fineturn.data.InMemoryDataset;
import dev.fineturn.nn.Init;
import dev.fineturn.nn.SmallCnn;
import dev.fineturn.reference.ReferenceBackend;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerGuardsTest {
    @TempDir
    Path dir;

    @BeforeEach
    void setUp() {
        Init.useBackend(ReferenceBackend.get());
        Init.seed(2);
    }

    @Test
    void divergenceStopsWithAdviceAndSavesNothingCorrupt() throws Exception {
        SmallCnn m = new SmallCnn(3, 4);
        TrainConfig cfg = TrainConfig.defaultsFor(Strategy.FULL).withEpochs(3).withBatchSize(16)
                .withOptimizer(TrainConfig.OptimizerKind.SGD, 1e6, 1.0).withCheckpoints(dir, 0, false);
        DivergenceException e = assertThrows(DivergenceException.class,
                () -> new Trainer(cfg).fit(m, Strategy.FULL, SyntheticTasks.orientation(96, 1), null));
        assertTrue(e.getMessage().contains("lower learning rate"), e.getMessage());
        assertTrue(e.getMessage().contains("diverged at epoch 1"), e.getMessage());
        assertNull(Checkpoint.latest(dir), "a checkpoint was written from the diverged run");
    }

    @Test
    void earlyStoppingStopsAndRestoresTheBestWeights() {
        SmallCnn m = new SmallCnn(3, 4);
        // A tiny learning rate: validation loss barely moves, so with patience 1 training stops early.
        TrainConfig cfg = TrainConfig.defaultsFor(Strategy.FULL).withEpochs(10).withBatchSize(32)
                .withOptimizer(TrainConfig.OptimizerKind.SGD, 1e-9, 1.0).withEarlyStopping("accuracy", 1, true)
                .with(b -> b.probeInitHead = false);
        FitResult r = new Trainer(cfg).fit(m, Strategy.FULL, SyntheticTasks.orientation(96, 1), null);
        assertTrue(r.stoppedEarly());
        assertTrue(r.history().size() < 10);
        assertEquals(0, r.bestEpoch());
    }

    @Test
    void singleClassDataFails() {
        InMemoryDataset one = new InMemoryDataset(new float[2 * 3 * 4 * 4], new int[]{0, 0}, new int[]{3, 4, 4}, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(TrainConfig.defaultsFor(Strategy.FULL)).fit(new SmallCnn(3, 4), Strategy.FULL, one,
                        null));
        assertTrue(e.getMessage().contains("1 class") && e.getMessage().contains("at least 2"), e.getMessage());
    }

    @Test
    void channelMismatchBetweenModelAndDataFails() {
        InMemoryDataset grey = new InMemoryDataset(new float[4 * 16], new int[]{0, 1, 0, 1}, new int[]{1, 4, 4}, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(TrainConfig.defaultsFor(Strategy.FULL)).fit(new SmallCnn(3, 4), Strategy.FULL, grey,
                        null));
        assertTrue(e.getMessage().contains("1 channel") && e.getMessage().contains("expects 3")
                && e.getMessage().contains("GrayscaleToRgb"), e.getMessage());
    }

    @Test
    void labelsOutOfRangeFail() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new InMemoryDataset(new float[2 * 3], new int[]{0, 5}, new int[]{3, 1, 1}, 2));
        assertTrue(e.getMessage().contains("5"), e.getMessage());
    }

    @Test
    void partialMustLeaveSomethingToTrain() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(TrainConfig.defaultsFor(Strategy.partial(5))).fit(new SmallCnn(3, 4),
                        Strategy.partial(5), SyntheticTasks.orientation(40, 1), null));
        assertTrue(e.getMessage().contains("only 5 blocks"), e.getMessage());
    }

    @Test
    void defaultsFollowTheTransferRecipe() {
        TrainConfig ft = TrainConfig.defaultsFor(Strategy.partial(2));
        assertTrue(ft.lr() * ft.backboneLrFactor() <= 1e-4, "fine-tuning rate must be at most 1e-4");
        TrainConfig scratch = TrainConfig.defaultsFor(Strategy.SCRATCH);
        assertEquals(10, scratch.lr() * scratch.backboneLrFactor() / (ft.lr() * ft.backboneLrFactor()), 1e-9);
        assertEquals("cosine", ft.schedule(), "the rate decays over training");
    }
}
