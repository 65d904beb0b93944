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

    private FitResult lastFit;

    /** Thrown by a listener to simulate the process being killed. */
    static final class Killed extends RuntimeException {
    }

    @Test
    void resumingAfterAKillGivesBitIdenticalWeights() throws Exception {
        for (Strategy s : new Strategy[]{Strategy.FULL, Strategy.partial(1)}) {
            Path full = dir.resolve(s + "-uninterrupted");
            SmallCnn a = model();
            lastFit = new Trainer(config(s, full)).fit(a, s, DATA, null);

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
            FitResult uninterrupted = lastFit;
            assertEquals(3, resumed.history().size(), "the history holds the epochs before the kill too");
            for (int e = 0; e < 3; e++) {
                EpochRecord x = uninterrupted.history().get(e);
                EpochRecord y = resumed.history().get(e);
                assertEquals(e, y.epoch());
                assertEquals(x.trainLoss(), y.trainLoss(), 0.0, s + ": epoch " + (e + 1) + " train loss");
                assertEquals(x.trainAccuracy(), y.trainAccuracy(), 0.0, s + ": epoch " + (e + 1) + " accuracy");
                assertEquals(x.validation().loss(), y.validation().loss(), 0.0, s + ": epoch " + (e + 1) + " val");
                assertArrayEquals(x.validation().confusion(), y.validation().confusion());
            }
            assertEquals(uninterrupted.bestEpoch(), resumed.bestEpoch());
            Map<String, Tensor> expected = a.stateDict();
            Map<String, Tensor> actual = c.stateDict();
            for (String k : expected.keySet()) {
                assertArrayEquals(expected.get(k).toArray(), actual.get(k).toArray(), s + ": " + k + " differs");
            }
        }
    }

    @Test
    void checkpointsHoldOnlyWhatTrainsAndRefuseOtherFrozenWeights() throws Exception {
        Strategy s = Strategy.partial(1);
        Path ckpt = dir.resolve("partial");
        SmallCnn a = model();
        new Trainer(config(s, ckpt).with(b -> b.keepCheckpoints = 3)).fit(a, s, DATA, null);
        Path latest = Checkpoint.latest(ckpt);
        var stored = dev.fineturn.io.Safetensors.read(latest.resolve(Checkpoint.MODEL_FILE)).byName().keySet();
        var trainable = new java.util.TreeSet<String>();
        a.namedParameters().forEach((k, t) -> {
            if (t.requiresGrad()) {
                trainable.add(k);
            }
        });
        var buffers = a.namedBuffers().keySet();
        assertEquals(new java.util.TreeSet<>(a.stateDict().keySet()).size() - frozenCount(a), stored.size());
        assertTrue(stored.containsAll(trainable) && stored.containsAll(buffers), "trainable weights and buffers");
        assertTrue(frozenCount(a) > 0 && stored.stream().noneMatch(k -> a.namedParameters().containsKey(k)
                && !a.namedParameters().get(k).requiresGrad()), "no frozen parameter is copied into a checkpoint: " + stored);
        try (var files = Files.list(ckpt)) {
            assertEquals(3, files.filter(p -> p.getFileName().toString().startsWith("ckpt-")).count(),
                    "the newest three checkpoints are kept");
        }

        // The same run resumed on a model whose frozen layers hold other weights is refused.
        SmallCnn other = model();
        Init.seed(99);
        SmallCnn different = new SmallCnn(3, 4);
        Trainer resumeOnOther = new Trainer(config(s, ckpt).withEpochs(4));
        var e = assertThrows(java.io.UncheckedIOException.class, () -> resumeOnOther.fit(different, s, DATA, null));
        assertTrue(e.getMessage().contains("frozen weights"), e.getMessage());
        // ... and resumed on the same pretrained weights it goes on to epoch 4.
        FitResult more = new Trainer(config(s, ckpt).withEpochs(4)).fit(other, s, DATA, null);
        assertEquals(4, more.history().size());
    }

    private static int frozenCount(SmallCnn m) {
        return (int) m.namedParameters().values().stream().filter(t -> !t.requiresGrad()).count();
    }
}
