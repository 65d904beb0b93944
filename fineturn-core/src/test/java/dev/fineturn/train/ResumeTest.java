package dev.fineturn.train;

import dev.fineturn.data.InMemoryDataset;
import dev.fineturn.nn.Init;
import dev.fineturn.nn.SmallCnn;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A run killed mid-epoch and resumed from its checkpoint ends with bit-identical weights. */
class ResumeTest {
    @TempDir
    Path dir;

    private static final InMemoryDataset DATA = SyntheticTasks.orientation(120, 4);

    private static SmallCnn model() {
        Init.useBackend(ReferenceBackend.get());
        Init.seed(21);
        return new SmallCnn(3, 4);
    }

    private TrainConfig config(Strategy s, Path checkpoints) {
        // SGD with momentum and nesterov-free defaults, dropout active, step schedule: all state must resume.
        return TrainConfig.defaultsFor(s).withEpochs(3).withBatchSize(16).withSeed(4)
                .withOptimizer(TrainConfig.OptimizerKind.SGD, 5e-2, 0.5).withSchedule("step:5:0.5")
                .withCheckpoints(checkpoints, 4, true);
    }

    /** Thrown by a listener to simulate the process being killed. */
    static final class Killed extends RuntimeException {
    }

    @Test
    void resumingAfterAKillGivesBitIdenticalWeights() throws Exception {
        for (Strategy s : new Strategy[]{Strategy.FULL, Strategy.partial(1)}) {
            Path full = dir.resolve(s + "-uninterrupted");
            SmallCnn a = model();
            new Trainer(config(s, full)).fit(a, s, DATA, null);

            Path killedDir = dir.resolve(s + "-killed");
            SmallCnn b = model();
            Trainer dying = new Trainer(config(s, killedDir)).addListener(new TrainingListener() {
                @Override
                public void onBatch(int epoch, int batch, int batches, double loss) {
                    if (epoch == 1 && batch == 2) {
                        throw new Killed();
                    }
                }
            });
            assertThrows(Killed.class, () -> dying.fit(b, s, DATA, null));
            Path latest = Checkpoint.latest(killedDir);
            assertNotNull(latest);
            try (var files = Files.list(killedDir)) {
                assertTrue(files.noneMatch(p -> p.getFileName().toString().contains(".tmp")),
                        "no temporary checkpoint may be left behind");
            }

            SmallCnn c = model(); // a fresh process: new model, same setup
            FitResult resumed = new Trainer(config(s, killedDir)).fit(c, s, DATA, null);
            assertEquals(2, resumed.history().size(), "epochs 2 and 3 remain after resuming");
            Map<String, Tensor> expected = a.stateDict();
            Map<String, Tensor> actual = c.stateDict();
            for (String k : expected.keySet()) {
                assertArrayEquals(expected.get(k).toArray(), actual.get(k).toArray(), s + ": " + k + " differs");
            }
        }
    }
}
