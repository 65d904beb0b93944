package dev.fineturn.spark;

import dev.fineturn.backend.Backends;
import dev.fineturn.cli.ModelFiles;
import dev.fineturn.data.DataLoader;
import dev.fineturn.data.Datasets;
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
import dev.fineturn.train.ClassificationMetrics;
import dev.fineturn.train.EpochRecord;
import dev.fineturn.train.Evaluation;
import dev.fineturn.train.FitResult;
import dev.fineturn.train.StandardizedFeatures;
import dev.fineturn.train.Strategy;
import dev.fineturn.train.TrainConfig;
import dev.fineturn.train.Trainer;
import dev.fineturn.train.TransferSetup;
import dev.fineturn.train.linear.Standardizer;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Oracles: the local trainer's MLP head ({@code Trainer.fit}, features strategy, {@code headHidden})
 * on the same images, with and without its validation split and early stopping, and single-machine
 * SGD on the union of both shards' batches.
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

    /** The local trainer's validated settings: a quarter of the rows held out (seeded), batches of 8. */
    private static TrainConfig validated(int epochs, double lr, String schedule, String monitor, int patience) {
        return config(epochs, 8).with(b -> {
            b.validationFraction = VALIDATION;
            b.lr = lr;
            b.schedule = schedule;
            b.monitor = monitor;
            b.patience = patience;
            b.restoreBest = true;
        });
    }

    static final double VALIDATION = 0.25;
    /** Accuracy monitored, no early stop; with these settings an epoch before the last scores best. */
    static final TrainConfig BEST_BEFORE_LAST = validated(8, 3e-2, "constant", "accuracy", 0);
    private static SparkMlpHeadTrainer.Result splitRun;
    private static Classifier splitModel;

    /** One worker on the table with {@link #BEST_BEFORE_LAST}, split as the local trainer splits; run once. */
    private static synchronized SparkMlpHeadTrainer.Result splitRun() {
        if (splitRun == null) {
            splitModel = seeded();
            splitRun = new SparkMlpHeadTrainer(spark, BEST_BEFORE_LAST, 1).fit(splitModel, table);
        }
        return splitRun;
    }

    private static FitResult local(TrainConfig cfg, Classifier model) throws Exception {
        return new Trainer(cfg).fit(model, Strategy.FEATURES, ImageFolderDataset.open(images, TestModels.SIZE,
                TestModels.SIZE), null);
    }

    @Test
    void oneWorkerValidatesEveryEpochAsTheLocalTrainerAndKeepsTheBestEpoch() throws Exception {
        Classifier local = seeded();
        FitResult want = local(BEST_BEFORE_LAST, local);
        assertTrue(want.bestEpoch() < want.history().size() - 1, "premise: an epoch before the last is the best, "
                + "so keeping it differs from keeping the last: " + want.bestEpoch());

        SparkMlpHeadTrainer.Result r = splitRun();
        assertEquals(45, r.trainRows(), "60 rows less the quarter held out");
        assertEquals(15, r.validationRows());
        assertSameEpochs(want, r);
        assertEquals(r.bestEpoch(), r.keptEpoch());
        assertSameHead(local, splitModel);

        // The model as saved scores the held-out images as the best epoch did on the driver.
        ImageFolderDataset data = ImageFolderDataset.open(images, TestModels.SIZE, TestModels.SIZE);
        ClassificationMetrics scored = Evaluation.evaluate(splitModel, Datasets.split(data, VALIDATION,
                BEST_BEFORE_LAST.seed()).validation(), 8, Backends.get("cpu"), null, CLASSES);
        assertEquals(r.best().top1(), scored.top1(), "accuracy of the kept weights on the held-out images");
        // Folding the standardisation into the first layer rounds differently.
        assertEquals(r.best().loss(), scored.loss(), 1e-4, "loss of the kept weights on the held-out images");
        assertNotEquals(r.history().getLast().validationLoss(), scored.loss(), 1e-3,
                "the kept weights are not the last epoch's");
    }

    @Test
    void earlyStoppingOnTheLossStopsAtTheLocalTrainersEpochWithThePlateauScheduleItsRate() throws Exception {
        // The plateau schedule cuts the rate after an epoch whose validation loss did not improve: the
        // driver observes it, and the epochs after the cut train at the cut rate.
        TrainConfig cfg = validated(12, 1e-1, "plateau:0.3:0", "loss", 2);
        Classifier local = seeded();
        FitResult want = local(cfg, local);
        assertTrue(want.stoppedEarly() && want.history().size() < cfg.epochs(), "premise: the local trainer stops "
                + "early, after " + want.history().size() + " epochs");
        Classifier onSpark = seeded();
        SparkMlpHeadTrainer.Result r = new SparkMlpHeadTrainer(spark, cfg, 1).fit(onSpark, table);
        assertSameEpochs(want, r);
        assertTrue(r.stoppedEarly());
        assertEquals(r.bestEpoch(), r.keptEpoch());
        assertSameHead(local, onSpark);
    }

    @Test
    void validationRowsNeverTrainAndAHeldOutTableValidatesAsTheSplit() {
        FeatureTables.Local all = FeatureTables.collect(spark, table);
        Set<String> held = new HashSet<>();
        for (int i : Datasets.split(all.data(), VALIDATION, BEST_BEFORE_LAST.seed()).validation().indices()) {
            held.add(all.ids().get(i));
        }
        String trainTable = dir.resolve("train-rows.parquet").toString();
        String validationTable = dir.resolve("validation-rows.parquet").toString();
        writeRows(trainTable, held, false, "-train");
        writeRows(validationTable, held, true, "-validation");

        Classifier onSpark = seeded();
        SparkMlpHeadTrainer.Result r = new SparkMlpHeadTrainer(spark, BEST_BEFORE_LAST, 1)
                .validation(validationTable).fit(onSpark, trainTable);
        SparkMlpHeadTrainer.Result split = splitRun();
        assertEquals(split.trainRows(), r.trainRows());
        assertEquals(split.validationRows(), r.validationRows());
        assertEquals(split.history().size(), r.history().size());
        for (int e = 0; e < r.history().size(); e++) {
            assertEquals(split.history().get(e).trainLoss(), r.history().get(e).trainLoss(), "epoch " + e);
            assertEquals(split.history().get(e).validationLoss(), r.history().get(e).validationLoss(), "epoch " + e);
        }
        assertEquals(split.bestEpoch(), r.bestEpoch());
        assertSameHead(splitModel, onSpark);

        IllegalArgumentException same = assertThrows(IllegalArgumentException.class,
                () -> new SparkMlpHeadTrainer(spark, BEST_BEFORE_LAST, 1).validation(table).fit(seeded(), table));
        assertTrue(same.getMessage().contains("same images"), same.getMessage());
    }

    /** The table's rows whose ids are (or are not) in {@code ids}, under a key of their own. */
    private static void writeRows(String path, Set<String> ids, boolean in, String keySuffix) {
        FeatureMetadata m = FeatureTables.metadata(spark, table);
        FeatureMetadata own = new FeatureMetadata(m.key() + keySuffix, m.backboneHash(), m.cut(), m.preprocessing(),
                m.inputSize(), m.classes());
        Column held = functions.col("id").isin(ids.toArray());
        spark.read().parquet(table).filter(in ? held : functions.not(held)).select(functions.col("id"),
                functions.col("label"), functions.col("features").as("features", own.toMetadata())).write()
                .parquet(path);
    }

    /** The same epochs: validation scores bit for bit, the same best epoch and stop. */
    private static void assertSameEpochs(FitResult want, SparkMlpHeadTrainer.Result got) {
        assertEquals(want.history().size(), got.history().size(), "epochs run");
        for (int e = 0; e < want.history().size(); e++) {
            EpochRecord w = want.history().get(e);
            SparkMlpHeadTrainer.Epoch g = got.history().get(e);
            assertEquals(w.validation().top1(), g.validationAccuracy(), "validation accuracy, epoch " + e);
            assertEquals(w.validation().loss(), g.validationLoss(), "validation loss, epoch " + e);
            // The driver multiplies the one rank's mean by its rows and divides by the same count.
            assertEquals(w.trainLoss(), g.trainLoss(), 1e-12 * Math.abs(w.trainLoss()), "training loss, epoch " + e);
        }
        assertEquals(want.bestEpoch(), got.bestEpoch(), "best epoch");
        assertEquals(want.best().top1(), got.best().top1());
        assertEquals(want.stoppedEarly(), got.stoppedEarly(), "stopped early");
    }

    private static void assertSameHead(Classifier want, Classifier got) {
        Map<String, Tensor> w = want.headBlock().stateDict();
        Map<String, Tensor> g = got.headBlock().stateDict();
        assertEquals(w.keySet(), g.keySet());
        for (String k : w.keySet()) {
            assertArrayEquals(w.get(k).toArray(), g.get(k).toArray(), k);
        }
    }

    private static Map<String, float[]> copy(Map<String, Tensor> state) {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        state.forEach((k, v) -> out.put(k, v.toArray()));
        return out;
    }
}
