package dev.fineturn.spark;

import dev.fineturn.backend.Backends;
import dev.fineturn.data.Augmentations;
import dev.fineturn.data.DataLoader;
import dev.fineturn.data.Dataset;
import dev.fineturn.data.ImageFolderDataset;
import dev.fineturn.data.Sample;
import dev.fineturn.io.NamedTensor;
import dev.fineturn.nn.Classifier;
import dev.fineturn.ops.Losses;
import dev.fineturn.optim.ParamGroup;
import dev.fineturn.optim.Sgd;
import dev.fineturn.optim.schedule.LrSchedule;
import dev.fineturn.optim.schedule.Schedules;
import dev.fineturn.tensor.Tensor;
import dev.fineturn.nn.Init;
import dev.fineturn.train.ClassificationMetrics;
import dev.fineturn.train.FitResult;
import dev.fineturn.train.Strategy;
import dev.fineturn.train.TrainConfig;
import dev.fineturn.train.Trainer;
import dev.fineturn.train.TransferSetup;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The oracle is plain single-machine training written out here: forward, cross-entropy, backward
 * and an SGD step on the same images in the same order.
 */
class SparkFineTunerTest extends SparkTestSession {
    static final int CLASSES = 3;
    @TempDir
    static Path dir;
    static Path images;
    static BackboneBroadcast start;

    @BeforeAll
    static void data() throws Exception {
        images = TestImages.write(dir.resolve("images"), false, CLASSES, 8);
        TestModels.Cut m = TestModels.mobilenetCut(CLASSES);
        start = BackboneBroadcast.of(m.model(), m.recipe(), TestModels.SIZE, "cpu");
    }

    private static org.apache.spark.sql.Dataset<Row> rows() {
        return SparkFeatureExtractor.imageFolder(spark, images.toString());
    }

    @Test
    void oneWorkerEqualsSingleMachineTrainingBitForBit() throws Exception {
        FineTuneConfig cfg = FineTuneConfig.defaults(1, 2, 4).withLr(0.01).withMomentum(0.9);
        SparkFineTuner.Result r = new SparkFineTuner(spark, cfg).fit(start, rows());
        assertEquals(2, r.history().size());

        ImageFolderDataset local = ImageFolderDataset.open(images, TestModels.SIZE, TestModels.SIZE);
        Classifier expected = train(local, null, cfg, 4);
        assertWeights(expected, r.model(), 0f);
    }

    /**
     * The oracle is the local {@link Trainer} on the image folder, set up to take the steps a worker
     * takes (SGD with momentum at one rate for every layer, no augmentation, a fresh head drawn from
     * the same seed): one worker holds out the same images, scores them after each epoch as it does,
     * picks the same best epoch (here an accuracy tie that the lower loss decides), stops after the
     * same epoch (4 of 6, patience 2) and ends with the best epoch's weights, bit for bit.
     */
    @Test
    void oneWorkerWithTheLocalSplitValidatesStopsAndKeepsTheBestEpochAsTheLocalTrainer() throws Exception {
        FitResult fit = assertSameAsLocalTrainer("cosine", 5);
        double bestAccuracy = fit.best().top1();
        assertTrue(fit.history().stream().limit(fit.bestEpoch()).anyMatch(e -> e.validation().top1() == bestAccuracy),
                "an earlier epoch ties the best accuracy, so the lower loss chose the best epoch: " + fit);
    }

    /**
     * A plateau schedule observes the validation loss on the driver and its cut rate goes out with
     * the next epoch: the rates per epoch, the scores and the weights are the local trainer's.
     */
    @Test
    void oneWorkerWithAPlateauScheduleCutsTheRateAsTheLocalTrainer() throws Exception {
        FitResult fit = assertSameAsLocalTrainer("plateau:0.5:0", 4);
        assertTrue(fit.history().getLast().lr() < fit.history().getFirst().lr(), "the plateau cut the rate: " + fit);
    }

    /**
     * The local trainer's transfer recipe on one worker: AdamW, a parameter group per trainable block
     * at layer-wise decaying rates, label smoothing, gradient clipping and the standard augmentation
     * of the training images. The scores per epoch, the best epoch and the weights are the local
     * trainer's, bit for bit.
     */
    @Test
    void oneWorkerWithTheLocalRecipeAdamWLayerRatesAndAugmentationEqualsTheLocalTrainer() throws Exception {
        Strategy strategy = Strategy.partial(3);
        TrainConfig local = TrainConfig.defaultsFor(strategy).with(b -> {
            b.epochs = 3;
            b.batchSize = 6;
            b.seed = 7;
            b.validationFraction = 0.25;
            b.lr = 0.01;
            b.labelSmoothing = 0.1;
            b.clipNorm = 0.5;
            b.patience = 2;
            b.probeInitHead = false;
            b.trainTransform = Augmentations.standard(TestModels.SIZE);
        });
        assertEquals(TrainConfig.OptimizerKind.ADAMW, local.optimizer());
        FineTuneConfig cfg = FineTuneConfig.recipe(1, local, 3).withAugmentation(true);
        FitResult fit = assertSameAsLocalTrainer(strategy, local, cfg);
        assertEquals(3, fit.history().size(), "three epochs ran: " + fit);
    }

    /** One worker and the local trainer on a quarter held out of the 24 images, 6 epochs at most, patience 2. */
    private static FitResult assertSameAsLocalTrainer(String schedule, long seed) throws Exception {
        Strategy strategy = Strategy.partial(3);
        int epochs = 6;
        TrainConfig local = TrainConfig.defaultsFor(strategy).with(b -> {
            b.epochs = epochs;
            b.batchSize = 6;
            b.seed = seed;
            b.validationFraction = 0.25;
            b.optimizer = TrainConfig.OptimizerKind.SGD;
            b.lr = 0.002;
            b.backboneLrFactor = 1;
            b.layerLrSpan = 1;
            b.momentum = 0.9;
            b.weightDecay = 0;
            b.schedule = schedule;
            b.monitor = "accuracy";
            b.patience = 2;
            b.restoreBest = true;
            b.probeInitHead = false;
        });
        FineTuneConfig cfg = FineTuneConfig.defaults(1, epochs, 6).withLr(0.002).withMomentum(0.9).withFrozen(3)
                .withSeed(seed).withSchedule(schedule, true).withValidation(0.25)
                .withEarlyStopping("accuracy", 2, true);
        FitResult fit = assertSameAsLocalTrainer(strategy, local, cfg);
        assertTrue(fit.stoppedEarly() && fit.history().size() < epochs && fit.bestEpoch() < fit.history().size() - 1,
                "the run stops early and keeps an epoch before the last: " + fit);
        return fit;
    }

    /** One worker with {@code cfg} and the local trainer with {@code local}: the same epochs, scores and weights. */
    private static FitResult assertSameAsLocalTrainer(Strategy strategy, TrainConfig local, FineTuneConfig cfg)
            throws Exception {
        String schedule = cfg.schedule();
        TestModels.Cut s = TestModels.mobilenetCut(CLASSES);
        Init.seed(11);
        TransferSetup.apply(s.model(), strategy, CLASSES, local);
        SparkFineTuner.Result r = new SparkFineTuner(spark, cfg).trainedStart(false)
                .fit(BackboneBroadcast.of(s.model(), s.recipe(), TestModels.SIZE, "cpu"), rows());

        TestModels.Cut m = TestModels.mobilenetCut(CLASSES);
        Init.seed(11);
        FitResult fit = new Trainer(local).fit(m.model(), strategy, ImageFolderDataset.open(images, TestModels.SIZE,
                TestModels.SIZE), null);
        for (SparkFineTuner.Epoch e : r.history()) {
            System.out.printf("%s, epoch %d: rate %.5f, validation accuracy %.4f, loss %.4f%n", schedule, e.epoch() + 1,
                    e.lr(), e.validationAccuracy(), e.validationLoss());
        }
        assertEquals(18, r.trainImages(), "a quarter of the 24 images is held out");
        assertEquals(6, r.validationImages());
        assertEquals(fit.history().size(), r.history().size(), "the same epochs run");
        for (int e = 0; e < fit.history().size(); e++) {
            ClassificationMetrics want = fit.history().get(e).validation();
            assertEquals(want.top1(), r.history().get(e).validationAccuracy(), "validation accuracy of epoch " + e);
            assertEquals(want.loss(), r.history().get(e).validationLoss(), "validation loss of epoch " + e);
            assertEquals(fit.history().get(e).lr(), r.history().get(e).lr(), "the rate of epoch " + e);
        }
        assertEquals(fit.bestEpoch(), r.bestEpoch());
        assertEquals(fit.stoppedEarly(), r.stoppedEarly());
        Map<String, float[]> got = new LinkedHashMap<>();
        for (NamedTensor t : BackboneBroadcast.readSafetensors(r.model().weights())) {
            got.put(t.name(), t.data());
        }
        Map<String, Tensor> want = m.model().stateDict();
        assertEquals(want.keySet(), got.keySet());
        want.forEach((k, v) -> assertArrayEquals(v.toArray(), got.get(k), "the best epoch's " + k));
        return fit;
    }

    @Test
    void twoWorkersWithPlainSgdEqualSingleMachineTrainingWithTheDoubledBatch() throws Exception {
        FineTuneConfig cfg = FineTuneConfig.defaults(2, 2, 4).withLr(0.05).withMomentum(0)
                .withSchedule("constant", false);
        SparkFineTuner.Result r = new SparkFineTuner(spark, cfg).fit(start, rows());
        ReplicaState rank1 = r.history().getLast().ranks().stream().filter(s -> s.rank() == 1).findFirst()
                .orElseThrow();
        long floats = rank1.gradientFloats();
        long steps = 24 / 2 / 4;
        assertEquals(steps * 4 * floats, rank1.bytesSent(),
                "each step sends 2 (n-1)/n of the gradient's bytes, all of it for n = 2");

        ImageFolderDataset local = ImageFolderDataset.open(images, TestModels.SIZE, TestModels.SIZE);
        int[][] shards = new int[2][local.size() / 2];
        for (int i = 0; i < local.size(); i++) {
            shards[i % 2][i / 2] = i;
        }
        Classifier expected = train(local.subset(shards[0]), local.subset(shards[1]), cfg, 4);
        assertWeights(expected, r.model(), 1e-4f);
    }

    @Test
    void parameterAveragingEveryStepEqualsGradientAveragingAndEveryThirdStepSendsAThird() throws Exception {
        FineTuneConfig grad = FineTuneConfig.defaults(2, 1, 4).withLr(1e-4).withMomentum(0).withFrozen(3)
                .withSchedule("constant", false);
        SparkFineTuner.Result g = new SparkFineTuner(spark, grad).fit(start, rows());
        SparkFineTuner.Result every = new SparkFineTuner(spark, grad.withParameterAveraging(1)).fit(start, rows());
        SparkFineTuner.Result third = new SparkFineTuner(spark, grad.withParameterAveraging(3)).fit(start, rows());
        ImageFolderDataset local = ImageFolderDataset.open(images, TestModels.SIZE, TestModels.SIZE);
        double before = loss(start, local);
        double gradLoss = loss(g.model(), local);
        double thirdLoss = loss(third.model(), local);
        System.out.printf("loss: start %.5f, gradient averaging %.5f, parameter averaging every 3 steps %.5f%n",
                before, gradLoss, thirdLoss);

        // Averaging two weights rounds at the weight's own scale, up to about an ulp per step: 3 steps.
        assertWeights(weights(g.model()), every.model(), 1e-4f, 6);
        long floats = rank(g, 1).gradientFloats();
        assertEquals(3 * 4 * floats, rank(g, 1).bytesSent(), "a gradient per step, 3 steps");
        assertEquals(3 * 4 * floats, rank(every, 1).bytesSent(), "the weights per step (plain SGD has no state)");
        assertEquals(4 * floats, rank(third, 1).bytesSent(), "the weights once in 3 steps");
        assertTrue(gradLoss < before - 0.05, "training lowered the loss: " + before + " -> " + gradLoss);
        assertEquals(gradLoss, thirdLoss, 0.1 * (before - gradLoss), "parameter averaging every 3 steps ends within "
                + "a tenth of gradient averaging's loss reduction");
    }

    private static ReplicaState rank(SparkFineTuner.Result r, int rank) {
        return r.history().getLast().ranks().stream().filter(s -> s.rank() == rank).findFirst().orElseThrow();
    }

    private static double loss(BackboneBroadcast model, ImageFolderDataset data) {
        return dev.fineturn.train.Evaluation.evaluate(ExecutorModels.fresh(model), data, 24, Backends.get("cpu"), null,
                CLASSES).loss();
    }

    @Test
    void aRankThatFailsMidEpochIsReRunFromTheCheckpointWithTheSameResult() throws Exception {
        FineTuneConfig cfg = FineTuneConfig.defaults(2, 2, 4).withLr(0.01).withRing("0", 20_000);
        SparkFineTuner.Result clean = new SparkFineTuner(spark, cfg).fit(start, rows());
        SparkFineTuner.Result faulty = new SparkFineTuner(spark, cfg.withFault(1, 1))
                .checkpoints(dir.resolve("checkpoints")).fit(start, rows());
        assertEquals(1, faulty.retries());
        assertEquals(2, faulty.history().get(1).attempts());
        assertWeights(weights(clean.model()), faulty.model(), 0f);
    }

    /**
     * The checkpoint holds the schedule's state: a plateau schedule that cut the rate before the
     * failing epoch goes on at the cut rate after the re-run from the checkpoint files.
     */
    @Test
    void theRerunFromACheckpointKeepsThePlateauSchedulesCut() throws Exception {
        FineTuneConfig cfg = FineTuneConfig.defaults(2, 4, 4).withLr(0.01).withRing("0", 20_000)
                .withSchedule("plateau:0.5:0", true).withValidation(0.25).withEarlyStopping("loss", 0, false);
        SparkFineTuner.Result clean = new SparkFineTuner(spark, cfg).fit(start, rows());
        assertTrue(clean.history().get(3).lr() < clean.history().getFirst().lr(),
                "the plateau cut the rate before the last epoch: " + clean.history());
        Path ckpt = dir.resolve("plateau-checkpoints");
        SparkFineTuner.Result faulty = new SparkFineTuner(spark, cfg.withFault(1, 3)).checkpoints(ckpt)
                .fit(start, rows());
        assertTrue(java.nio.file.Files.isRegularFile(ckpt.resolve("epoch-0002.schedule.json")));
        assertEquals(2, faulty.history().get(3).attempts());
        for (int e = 0; e < 4; e++) {
            assertEquals(clean.history().get(e).lr(), faulty.history().get(e).lr(), "the rate of epoch " + e);
        }
        assertWeights(weights(clean.model()), faulty.model(), 0f);
    }

    @Test
    void theDriverEvaluatesEachEpochStopsEarlyAndKeepsTheBestWeights() throws Exception {
        ImageFolderDataset local = ImageFolderDataset.open(images, TestModels.SIZE, TestModels.SIZE);
        FineTuneConfig cfg = FineTuneConfig.defaults(2, 4, 4).withLr(0.5).withSchedule("constant", true).withSeed(3)
                .withEarlyStopping("accuracy", 1, true).withRing("0", 20_000).with(b -> b.maxRetries = 0);
        Path ckpt = dir.resolve("early-stop");
        SparkFineTuner.Result r = new SparkFineTuner(spark, cfg).checkpoints(ckpt).validation(local).fit(start, rows());
        // The local trainer's rule, written out: higher accuracy, or the same with a lower loss, is better.
        ClassificationMetrics best = evaluate(start, local, cfg.batchSize());
        int bestEpoch = -1;
        int since = 0;
        int ran = 0;
        for (SparkFineTuner.Epoch e : r.history()) {
            ran++;
            byte[] weights = java.nio.file.Files.readAllBytes(ckpt.resolve(String.format("epoch-%04d.model.safetensors",
                    e.epoch())));
            ClassificationMetrics val = evaluate(start.withWeights(weights, "check-" + e.epoch()), local,
                    cfg.batchSize());
            assertEquals(val.top1(), e.validationAccuracy(), "the driver's validation accuracy of epoch " + e.epoch());
            assertEquals(val.loss(), e.validationLoss(), "the driver's validation loss of epoch " + e.epoch());
            if (val.top1() > best.top1() || val.top1() == best.top1() && val.loss() < best.loss()) {
                best = val;
                bestEpoch = e.epoch();
                since = 0;
            } else if (++since >= cfg.patience()) {
                break;
            }
        }
        assertEquals(ran, r.history().size(), "stopped after patience epochs without improvement");
        assertEquals(ran < cfg.epochs(), r.stoppedEarly());
        assertEquals(bestEpoch, r.bestEpoch());
        byte[] expected = bestEpoch < 0 ? start.weights() : java.nio.file.Files.readAllBytes(
                ckpt.resolve(String.format("epoch-%04d.model.safetensors", bestEpoch)));
        assertArrayEquals(expected, r.model().weights(), "the result holds the best epoch's weights");
    }

    private static ClassificationMetrics evaluate(BackboneBroadcast model, Dataset data, int batch) {
        return dev.fineturn.train.Evaluation.evaluate(ExecutorModels.fresh(model), data, batch, Backends.get("cpu"),
                null, CLASSES);
    }

    @Test
    void refusesMoreWorkersThanSlotsAndDynamicAllocation() {
        var e = assertThrows(IllegalStateException.class,
                () -> new SparkFineTuner(spark, FineTuneConfig.defaults(3, 1, 4)).fit(start, rows()));
        assertTrue(e.getMessage().contains("needs 3 task slots at once, the cluster has 2"), e.getMessage());
    }

    /**
     * Single-machine SGD; each step's batch is the next {@code b} images of {@code a} in the local data
     * loader's order and (when given) the next {@code b} of {@code c} as stored, at the schedule's rate.
     */
    private static Classifier train(Dataset a, Dataset c, FineTuneConfig cfg, int b) {
        Classifier m = ExecutorModels.fresh(start);
        m.eval();
        List<Tensor> params = m.trainableParameters();
        Sgd sgd = new Sgd(List.of(new ParamGroup("all", params, cfg.lr(), 0)), cfg.momentum(), 0, false);
        var backend = params.getFirst().backend();
        int steps = a.size() / b;
        LrSchedule schedule = Schedules.parse(cfg.schedule(), (long) cfg.epochs() * steps);
        long step = 0;
        for (int e = 0; e < cfg.epochs(); e++) {
            int[] order = DataLoader.builder(a).batchSize(b).shuffle(cfg.shuffle()).seed(cfg.seed()).build().order(e);
            for (int s = 0; s < steps; s++) {
                sgd.setLrFactor(schedule.factor(step++));
                List<Sample> batch = new ArrayList<>();
                for (int i = s * b; i < (s + 1) * b; i++) {
                    batch.add(a.get(order[i]));
                }
                if (c != null) {
                    for (int i = s * b; i < (s + 1) * b; i++) {
                        batch.add(c.get(i));
                    }
                }
                float[] x = new float[batch.size() * 3 * TestModels.SIZE * TestModels.SIZE];
                int[] y = new int[batch.size()];
                for (int i = 0; i < batch.size(); i++) {
                    System.arraycopy(batch.get(i).pixels(), 0, x, i * batch.get(i).pixels().length,
                            batch.get(i).pixels().length);
                    y[i] = batch.get(i).label();
                }
                sgd.zeroGrad();
                Losses.crossEntropy(m.forward(Tensor.of(backend, x, batch.size(), 3, TestModels.SIZE,
                        TestModels.SIZE)), y, 0f).backward();
                sgd.step();
            }
        }
        return m;
    }

    private static Classifier weights(BackboneBroadcast b) {
        return ExecutorModels.fresh(b);
    }

    private static void assertWeights(Classifier expected, BackboneBroadcast actual, float tolerance) {
        assertWeights(expected, actual, tolerance, 0);
    }

    /**
     * Equal bits, or (tolerance > 0) every weight within {@code tolerance} times the largest change
     * training made to any weight plus {@code ulps} units in the last place of the weight itself:
     * summing a gradient in two halves rounds differently, and a mean of two weights rounds at the
     * weight's own scale; a wrong reduction would be off by a whole update.
     */
    private static void assertWeights(Classifier expected, BackboneBroadcast actual, float tolerance, int ulps) {
        Map<String, float[]> got = new LinkedHashMap<>();
        for (NamedTensor t : BackboneBroadcast.readSafetensors(actual.weights())) {
            got.put(t.name(), t.data());
        }
        Map<String, Tensor> initial = ExecutorModels.fresh(start).stateDict();
        double maxUpdate = 0;
        for (var e : expected.stateDict().entrySet()) {
            float[] want = e.getValue().toArray();
            float[] before = initial.get(e.getKey()).toArray();
            for (int i = 0; i < want.length; i++) {
                maxUpdate = Math.max(maxUpdate, Math.abs(want[i] - before[i]));
            }
        }
        assertTrue(maxUpdate > 1e-3, "training changed the weights: largest change " + maxUpdate);
        double worstExcess = Double.NEGATIVE_INFINITY;
        String worst = "";
        for (var e : expected.stateDict().entrySet()) {
            float[] want = e.getValue().toArray();
            float[] have = got.get(e.getKey());
            if (tolerance == 0f) {
                assertArrayEquals(want, have, e.getKey());
            }
            for (int i = 0; i < want.length; i++) {
                double excess = Math.abs(want[i] - have[i]) - tolerance * maxUpdate - ulps * Math.ulp(want[i]);
                if (excess > worstExcess) {
                    worstExcess = excess;
                    worst = e.getKey() + "[" + i + "] " + want[i] + " vs " + have[i];
                }
            }
        }
        assertTrue(worstExcess <= 0, "largest difference beyond the tolerance at " + worst + ", largest update "
                + maxUpdate);
    }
}
