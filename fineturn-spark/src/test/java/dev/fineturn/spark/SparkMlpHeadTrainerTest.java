package dev.fineturn.spark;

import dev.fineturn.backend.Backends;
import dev.fineturn.cli.ModelFiles;
import dev.fineturn.data.DataLoader;
import dev.fineturn.data.ImageFolderDataset;
import dev.fineturn.data.InMemoryDataset;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Flatten;
import dev.fineturn.nn.Init;
import dev.fineturn.nn.Linear;
import dev.fineturn.nn.MlpHead;
import dev.fineturn.nn.Sequential;
import dev.fineturn.ops.Losses;
import dev.fineturn.optim.Optimizer;
import dev.fineturn.optim.ParamGroup;
import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.Tensor;
import dev.fineturn.train.StandardizedFeatures;
import dev.fineturn.train.Strategy;
import dev.fineturn.train.TrainConfig;
import dev.fineturn.train.Trainer;
import dev.fineturn.train.TransferSetup;
import dev.fineturn.train.linear.Standardizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Oracles: the local trainer's MLP head ({@code Trainer.fit}, features strategy, {@code headHidden})
 * on the same images, and single-machine SGD on the union of both shards' batches.
 */
class SparkMlpHeadTrainerTest extends SparkTestSession {
    static final int CLASSES = 3;
    static final long INIT_SEED = 11;
    @TempDir
    static Path dir;
    static Path images;
    static String table;
    static BackboneBroadcast backbone;

    @BeforeAll
    static void features() throws Exception {
        images = TestImages.write(dir.resolve("images"), false, CLASSES, 20);
        TestModels.Cut m = TestModels.mobilenetCut(CLASSES);
        SparkFeatureExtractor ex = new SparkFeatureExtractor(spark, m.model(), m.recipe(), TestModels.SIZE);
        table = dir.resolve("features.parquet").toString();
        ex.extract(SparkFeatureExtractor.imageFolder(spark, images.toString()), table);
        backbone = ex.backbone();
    }

    private static TrainConfig config(int epochs, int batch) {
        return TrainConfig.defaultsFor(Strategy.FEATURES).with(b -> {
            b.epochs = epochs;
            b.batchSize = batch;
            b.seed = 5;
            b.validationFraction = 0;
            b.headSolver = TrainConfig.HeadSolver.SGD;
            b.headHidden = 16;
            b.lr = 3e-3;
        });
    }

    /** The backbone with its head about to be drawn from the same generator state. */
    private static Classifier seeded() {
        Classifier m = ExecutorModels.fresh(backbone);
        Init.seed(INIT_SEED);
        return m;
    }

    @Test
    void oneWorkerEqualsTheLocalMlpHeadBitForBitAndSavesAModelFolder() throws Exception {
        TrainConfig cfg = config(3, 8);
        Classifier local = seeded();
        new Trainer(cfg).fit(local, Strategy.FEATURES, ImageFolderDataset.open(images, TestModels.SIZE,
                TestModels.SIZE), null);

        Classifier onSpark = seeded();
        SparkMlpHeadTrainer.Result r = new SparkMlpHeadTrainer(spark, cfg, 1).fit(onSpark, table);
        assertEquals(3, r.history().size());
        assertEquals(8, r.stepsPerEpoch(), "60 rows in batches of 8, the partial last one included");
        Map<String, Tensor> want = local.headBlock().stateDict();
        Map<String, Tensor> got = onSpark.headBlock().stateDict();
        assertEquals(want.keySet(), got.keySet());
        for (String k : want.keySet()) {
            assertArrayEquals(want.get(k).toArray(), got.get(k).toArray(), k);
        }

        Path folder = dir.resolve("model");
        ModelFiles.save(folder, onSpark, backbone.recipeJson(), List.of("class0", "class1", "class2"));
        assertTrue(Files.isRegularFile(folder.resolve("model.onnx")), "the folder has the ONNX export");
        Classifier loaded = ModelFiles.open(folder.toString(), Backends.get("cpu")).model();
        assertTrue(loaded.headBlock() instanceof MlpHead, "the folder rebuilds the MLP head: " + loaded.headBlock());
        ImageFolderDataset data = ImageFolderDataset.open(images, TestModels.SIZE, TestModels.SIZE);
        for (int i = 0; i < data.size(); i += 13) {
            var s = data.get(i);
            Tensor x = Tensor.of(Backends.get("cpu"), s.pixels(), 1, s.channels(), s.height(), s.width());
            assertArrayEquals(onSpark.forward(x).toArray(), loaded.forward(x).toArray(), 1e-5f, "image " + i);
        }
    }

    @Test
    void twoWorkersWithPlainSgdEqualSingleMachineTrainingWithTheDoubledBatch() {
        TrainConfig cfg = config(2, 4).withOptimizer(TrainConfig.OptimizerKind.SGD, 0.05, 1.0).with(b -> {
            b.momentum = 0;
            b.weightDecay = 0;
            b.schedule = "constant";
        });
        Classifier onSpark = seeded();
        SparkMlpHeadTrainer.Result r = new SparkMlpHeadTrainer(spark, cfg, 2).fit(onSpark, table);
        assertEquals(8, r.stepsPerEpoch(), "shards of 30 rows in batches of 4");
        ReplicaState rank1 = r.history().getLast().ranks().stream().filter(s -> s.rank() == 1).findFirst()
                .orElseThrow();
        assertEquals(8L * 4 * rank1.gradientFloats(), rank1.bytesSent(), "the whole gradient and the row count "
                + "per step, for 2 ranks");

        Classifier expected = seeded();
        TransferSetup.apply(expected, Strategy.FEATURES, CLASSES, cfg);
        MlpHead head = (MlpHead) expected.headBlock();
        Map<String, float[]> before = copy(head.stateDict());
        InMemoryDataset all = FeatureTables.collect(spark, table).data();
        int d = all.sampleShape()[0];
        float[] x = new float[all.size() * d];
        for (int i = 0; i < all.size(); i++) {
            System.arraycopy(all.get(i).pixels(), 0, x, i * d, d);
        }
        Standardizer st = Standardizer.fit(x, d);
        float[] z = st.apply(x);
        List<InMemoryDataset> shards = new ArrayList<>();
        for (int rank = 0; rank < 2; rank++) {
            List<Integer> rows = new ArrayList<>();
            for (int i = rank; i < all.size(); i += 2) {
                rows.add(i);
            }
            float[] v = new float[rows.size() * d];
            int[] y = new int[rows.size()];
            for (int i = 0; i < rows.size(); i++) {
                System.arraycopy(z, rows.get(i) * d, v, i * d, d);
                y[i] = all.label(rows.get(i));
            }
            shards.add(new InMemoryDataset(v, y, new int[]{d, 1, 1}, CLASSES));
        }
        Backend cpu = head.parameters().getFirst().backend();
        Sequential net = new Sequential(new Flatten(), head);
        Optimizer sgd = TransferSetup.optimizer(List.of(new ParamGroup("head", head.trainableParameters(), cfg.lr(),
                0)), cfg);
        for (int e = 0; e < cfg.epochs(); e++) {
            int[][] order = new int[2][];
            for (int rank = 0; rank < 2; rank++) {
                order[rank] = DataLoader.builder(shards.get(rank)).batchSize(4).seed(cfg.seed() + rank).build()
                        .order(e);
            }
            for (int s = 0; s < 8; s++) {
                List<float[]> rows = new ArrayList<>();
                List<Integer> labels = new ArrayList<>();
                for (int rank = 0; rank < 2; rank++) {
                    for (int i = s * 4; i < Math.min((s + 1) * 4, order[rank].length); i++) {
                        rows.add(shards.get(rank).get(order[rank][i]).pixels());
                        labels.add(shards.get(rank).label(order[rank][i]));
                    }
                }
                float[] batch = new float[rows.size() * d];
                for (int i = 0; i < rows.size(); i++) {
                    System.arraycopy(rows.get(i), 0, batch, i * d, d);
                }
                sgd.zeroGrad();
                Losses.crossEntropy(net.forward(Tensor.of(cpu, batch, rows.size(), d)),
                        labels.stream().mapToInt(Integer::intValue).toArray(), 0f).backward();
                sgd.step();
            }
        }
        new StandardizedFeatures(st).foldInto((Linear) head.layers().getFirst());

        double maxUpdate = 0;
        double maxDiff = 0;
        Map<String, Tensor> got = onSpark.headBlock().stateDict();
        for (var e : head.stateDict().entrySet()) {
            float[] want = e.getValue().toArray();
            float[] have = got.get(e.getKey()).toArray();
            float[] start = before.get(e.getKey());
            for (int i = 0; i < want.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(want[i] - have[i]));
                if (e.getKey().startsWith("2.")) {
                    maxUpdate = Math.max(maxUpdate, Math.abs(want[i] - start[i]));
                }
            }
        }
        assertTrue(maxUpdate > 1e-2, "training moved the output layer: " + maxUpdate);
        assertTrue(maxDiff <= 1e-4 * maxUpdate, "largest difference " + maxDiff + ", largest update " + maxUpdate);
    }

    private static Map<String, float[]> copy(Map<String, Tensor> state) {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        state.forEach((k, v) -> out.put(k, v.toArray()));
        return out;
    }
}
