package dev.fineturn.train;

import dev.fineturn.data.Batch;
import dev.fineturn.data.DataLoader;
import dev.fineturn.data.Dataset;
import dev.fineturn.data.Datasets;
import dev.fineturn.data.InMemoryDataset;
import dev.fineturn.data.Sample;
import dev.fineturn.data.Split;
import dev.fineturn.io.NamedTensor;
import dev.fineturn.io.Safetensors;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Flatten;
import dev.fineturn.nn.Linear;
import dev.fineturn.nn.MlpHead;
import dev.fineturn.nn.Layer;
import dev.fineturn.nn.Sequential;
import dev.fineturn.ops.Losses;
import dev.fineturn.optim.GradClip;
import dev.fineturn.optim.Optimizer;
import dev.fineturn.optim.ParamGroup;
import dev.fineturn.optim.schedule.LrSchedule;
import dev.fineturn.optim.schedule.Schedules;
import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.Shape;
import dev.fineturn.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fits a classifier with one of the transfer strategies: seeded shuffling, a validation split,
 * metrics per epoch, early stopping with the best weights kept, atomic checkpoints with exact
 * resume, and a divergence guard.
 */
public final class Trainer {
    private final TrainConfig cfg;
    private final List<TrainingListener> listeners = new ArrayList<>();

    public Trainer(TrainConfig cfg) {
        this.cfg = cfg;
    }

    public Trainer addListener(TrainingListener l) {
        listeners.add(l);
        return this;
    }

    private final TrainingListener fanOut = new TrainingListener() {
        @Override
        public void onFeatures(int done, int total) {
            listeners.forEach(l -> l.onFeatures(done, total));
        }

        @Override
        public void onEpochStart(int epoch, int batches) {
            listeners.forEach(l -> l.onEpochStart(epoch, batches));
        }

        @Override
        public void onBatch(int epoch, int batch, int batches, double loss) {
            listeners.forEach(l -> l.onBatch(epoch, batch, batches, loss));
        }

        @Override
        public void onEpochEnd(EpochRecord record) {
            listeners.forEach(l -> l.onEpochEnd(record));
        }

        @Override
        public void onCheckpoint(Path checkpoint) {
            listeners.forEach(l -> l.onCheckpoint(checkpoint));
        }
    };

    /**
     * Adapts {@code model} to the data with {@code strategy} and trains it. Without a validation
     * set, {@code validationFraction} of the training data is held out (seeded).
     * <p>
     * The model's head is always replaced by a fresh one with {@code train.numClasses()} outputs
     * (a linear head, or an MLP head when {@code headHidden > 0}), whatever head it came with; the
     * strategy's freezing is applied to {@code model} itself, which holds the trained weights on
     * return.
     */
    public FitResult fit(Classifier model, Strategy strategy, Dataset train, Dataset validation) {
        long started = System.nanoTime();
        checkData(model, train);
        Dataset all = train;
        boolean features = strategy.kind() == Strategy.Kind.FEATURES;
        boolean convex = features && cfg.headSolver() == TrainConfig.HeadSolver.LBFGS;
        if (validation == null && cfg.validationFraction() > 0 && !convex) {
            Split split = Datasets.split(train, cfg.validationFraction(), cfg.seed());
            train = split.train();
            validation = split.validation();
        }
        int classes = train.numClasses();
        List<String> notes = new ArrayList<>(TransferSetup.apply(model, strategy, classes, cfg));
        Backend backend = model.parameters().get(0).backend();
        if (convex) {
            FitResult r = convexHead(model, strategy, train, validation, classes, notes, started);
            model.eval();
            return r;
        }
        Layer net;
        Dataset trainData;
        Dataset valData;
        Start start = null;
        StandardizedFeatures standardized = null;
        if (features) {
            InMemoryDataset f = FeatureCache.features(model, train, cfg.batchSize(), cfg.evalTransform(),
                cfg.featureCacheDir(),
                    fanOut);
            InMemoryDataset v = validation == null ? null
                    : FeatureCache.features(model, validation, cfg.batchSize(), cfg.evalTransform(),
                cfg.featureCacheDir(), fanOut);
            if (model.headBlock() instanceof MlpHead) {
                standardized = new StandardizedFeatures(f);
                f = standardized.apply(f);
                v = standardized.apply(v);
            }
            trainData = f;
            valData = v;
            net = new Sequential(new Flatten(), model.headBlock());
        } else {
            trainData = train;
            valData = validation;
            net = model;
            if (cfg.probeInitHead() && cfg.headHidden() == 0 && strategy.usesPretrainedWeights() && !cfg.resume()) {
                start = probeStart(model, train, validation, classes, backend, notes);
            }
        }
        List<ParamGroup> groups = TransferSetup.groups(model, cfg);
        Optimizer optimizer = TransferSetup.optimizer(groups, cfg);
        DataLoader loader = DataLoader.builder(trainData).batchSize(cfg.batchSize()).shuffle(true).seed(cfg.seed())
                .backend(backend).transform(features ? null : cfg.trainingTransform()).build();
        LrSchedule schedule = Schedules.parse(cfg.schedule(), (long) cfg.epochs() * loader.batchesPerEpoch());
        FitResult r = loop(strategy, net, optimizer, schedule, loader, valData, backend, classes, features, started,
                start, notes);
        if (standardized != null) {
            standardized.foldInto((Linear) ((MlpHead) model.headBlock()).layers().getFirst());
        }
        if (!features && strategy.usesPretrainedWeights() && cfg.probeInitHead() && start != null
                && cfg.restoreBest()) {
            refitHead(model, all, classes, r.bestEpoch() < 0 ? null : start.c(), notes);
            r = new FitResult(r.strategy(), r.history(), r.bestEpoch(), r.best(), r.stoppedEarly(),
                    (System.nanoTime() - started) / 1e9, notes);
        }
        model.eval();
        return r;
    }

    /**
     * The last step of the recipe: the layers below settled (the best epoch's, or the pretrained
     * ones when no epoch beat the convex start), the head is fitted to convergence on the features
     * of all the training data, the validation rows included, since they only served to pick the
     * epoch. After epochs that helped it keeps the L2 strength chosen for the start: a new
     * cross-validation on features of images the layers were just trained on would trust them too
     * much. When no epoch helped, the strength is chosen again, and the result is exactly the
     * features strategy.
     */
    private void refitHead(Classifier model, Dataset all, int classes, Double c, List<String> notes) {
        InMemoryDataset f = FeatureCache.features(model, all, cfg.batchSize(), cfg.evalTransform(),
                cfg.featureCacheDir(), fanOut);
        ConvexHead.Fitted fitted = ConvexHead.fit(f, classes, cfg, c);
        fitted.install(model.head());
        notes.add("head refitted on the " + (c == null ? "pretrained" : "fine-tuned") + " features of all "
                + all.size() + " training images (" + fitted.summary() + ")");
    }

    /** The model before any gradient step, as a candidate for the best weights, with its validation score. */
    private record Start(ClassificationMetrics validation, Map<String, NamedTensor> weights, double c) {
    }

    /**
     * The first phase of the transfer recipe: a convex head on the frozen backbone's features
     * replaces the random one, so fine-tuning starts from a good classifier instead of sending a
     * random head's large gradients into the pretrained layers.
     */
    private Start probeStart(Classifier model, Dataset train, Dataset validation, int classes, Backend backend,
                             List<String> notes) {
        InMemoryDataset f = FeatureCache.features(model, train, cfg.batchSize(), cfg.evalTransform(),
                cfg.featureCacheDir(), fanOut);
        ConvexHead.Fitted fitted = ConvexHead.fit(f, classes, cfg);
        fitted.install(model.head());
        notes.add("head initialised by a convex fit on the frozen features (" + fitted.summary() + ")");
        if (validation == null) {
            return null;
        }
        ClassificationMetrics val = Evaluation.evaluate(model, validation, cfg.batchSize(), backend,
                cfg.evalTransform(), classes);
        return new Start(val, snapshot(model), fitted.probe().c());
    }

    /** The features strategy with the convex solver: one fit on all the training data, no epochs. */
    private FitResult convexHead(Classifier model, Strategy strategy, Dataset train, Dataset validation, int classes,
                                 List<String> notes, long started) {
        long t0 = System.nanoTime();
        InMemoryDataset f = FeatureCache.features(model, train, cfg.batchSize(), cfg.evalTransform(),
                cfg.featureCacheDir(), fanOut);
        fanOut.onEpochStart(0, 1);
        ConvexHead.Fitted fitted = ConvexHead.fit(f, classes, cfg);
        Linear head = model.head();
        fitted.install(head);
        notes.add("head: " + fitted.summary());
        Backend backend = head.parameters().get(0).backend();
        Layer net = new Sequential(new Flatten(), head);
        ClassificationMetrics trainMetrics = Evaluation.evaluate(net, f, cfg.batchSize(), backend, null, classes);
        ClassificationMetrics val = validation == null ? fitted.crossValidated()
                : Evaluation.evaluate(net, FeatureCache.features(model, validation, cfg.batchSize(),
                cfg.evalTransform(), cfg.featureCacheDir(), fanOut), cfg.batchSize(), backend, null, classes);
        EpochRecord rec = new EpochRecord(0, trainMetrics.loss(), trainMetrics.top1(), val, Double.NaN,
                (System.nanoTime() - t0) / 1e9, false);
        fanOut.onEpochEnd(rec);
        return new FitResult(strategy, List.of(rec), 0, val, false, (System.nanoTime() - started) / 1e9, notes);
    }

    private void checkData(Classifier model, Dataset train) {
        if (train.size() == 0) {
            throw new IllegalArgumentException("train: the training data is empty");
        }
        if (train.numClasses() < 2) {
            throw new IllegalArgumentException("train: the data has " + train.numClasses()
                    + " class; a classifier needs at least 2");
        }
        Sample first = train.get(0);
        if (cfg.trainingTransform() != null) {
            first = cfg.trainingTransform().apply(first, new java.util.SplittableRandom(0));
        }
        if (first.channels() != model.inputChannels()) {
            throw new IllegalArgumentException("train: the images have " + first.channels() + " channel(s) "
                    + Shape.str(first.shape()) + " but the model expects " + model.inputChannels()
                    + (first.channels() == 1 && model.inputChannels() == 3
                    ? "; add a GrayscaleToRgb transform" : ""));
        }
    }

    private FitResult loop(Strategy strategy, Layer net, Optimizer optimizer, LrSchedule schedule, DataLoader loader,
                           Dataset valData, Backend backend, int classes, boolean features, long started,
                           Start start, List<String> notes) {
        int startEpoch = 0;
        int startBatch = 0;
        long step = 0;
        double best = ClassificationMetrics.higherIsBetter(cfg.monitor()) ? Double.NEGATIVE_INFINITY
                : Double.POSITIVE_INFINITY;
        int bestEpoch = -1;
        int badEpochs = 0;
        Map<String, NamedTensor> bestWeights = null;
        Path dir = cfg.checkpointDir();
        List<EpochRecord> history = new ArrayList<>();
        TrainingState.EpochProgress progress = TrainingState.EpochProgress.NONE;
        if (cfg.resume() && dir != null) {
            try {
                Path latest = Checkpoint.latest(dir);
                if (latest != null) {
                    TrainingState s = Checkpoint.restore(latest, net, optimizer);
                    startEpoch = s.epoch();
                    startBatch = s.batchInEpoch();
                    step = s.step();
                    schedule.restore(s.scheduleState());
                    best = s.bestMetric();
                    bestEpoch = s.bestEpoch();
                    badEpochs = s.badEpochs();
                    bestWeights = readBest(dir);
                    history.addAll(s.history());
                    progress = s.progress();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("resume: " + e.getMessage(), e);
            }
        }
        ClassificationMetrics bestMetrics = null;
        for (EpochRecord e : history) {
            if (e.epoch() == bestEpoch) {
                bestMetrics = e.validation();
            }
        }
        if (start != null) {
            best = start.validation().get(cfg.monitor());
            bestMetrics = start.validation();
            bestWeights = start.weights();
        }
        boolean stoppedEarly = false;
        double firstLoss = Double.NaN;
        for (int epoch = startEpoch; epoch < cfg.epochs(); epoch++) {
            long t0 = System.nanoTime();
            net.train(true);
            int batches = loader.batchesPerEpoch();
            fanOut.onEpochStart(epoch, batches);
            double lossSum = progress.lossSum();
            long correct = progress.correct();
            long seen = progress.seen();
            double secondsBefore = progress.seconds();
            progress = TrainingState.EpochProgress.NONE;
            int b = startBatch;
            for (Batch batch : loader.epoch(epoch, startBatch)) {
                optimizer.setLrFactor(schedule.factor(step));
                Tensor logits = net.forward(batch.images());
                Tensor loss = Losses.crossEntropy(logits, batch.labels(), (float) cfg.labelSmoothing());
                double l = loss.item();
                if (Double.isNaN(firstLoss)) {
                    firstLoss = l;
                }
                guard(l, firstLoss, Math.log(classes), epoch, b, optimizer, net, bestWeights);
                loss.backward();
                if (cfg.clipNorm() > 0) {
                    GradClip.clipNorm(optimizer.parameters(), cfg.clipNorm());
                }
                optimizer.step();
                optimizer.zeroGrad();
                step++;
                lossSum += l * batch.size();
                correct += countCorrect(logits.toArray(), batch.labelArray(), classes);
                seen += batch.size();
                b++;
                fanOut.onBatch(epoch, b, batches, l);
                if (dir != null && cfg.checkpointEvery() > 0 && step % cfg.checkpointEvery() == 0 && b < batches) {
                    save(dir, net, optimizer, new TrainingState(epoch, b, step, net.randomState(), schedule.state(),
                            best, bestEpoch, badEpochs, history, new TrainingState.EpochProgress(lossSum, correct,
                            seen, secondsBefore + (System.nanoTime() - t0) / 1e9)));
                }
            }
            startBatch = 0;
            ClassificationMetrics val = valData == null ? null
                    : Evaluation.evaluate(net, valData, cfg.batchSize(), backend, features ? null : cfg.evalTransform(),
                    classes);
            if (val != null) {
                schedule.observe(val.loss());
                if (ClassificationMetrics.improves(cfg.monitor(), val, best, bestMetrics)) {
                    best = val.get(cfg.monitor());
                    bestEpoch = epoch;
                    bestMetrics = val;
                    badEpochs = 0;
                    bestWeights = snapshot(net);
                    if (dir != null) {
                        writeBest(dir, bestWeights);
                    }
                } else {
                    badEpochs++;
                }
            }
            double seconds = secondsBefore + (System.nanoTime() - t0) / 1e9;
            EpochRecord rec = new EpochRecord(epoch, seen == 0 ? Double.NaN : lossSum / seen,
                    seen == 0 ? Double.NaN : (double) correct / seen, val, optimizer.groups().get(
                    optimizer.groups().size() - 1).lr(), seconds, !features);
            history.add(rec);
            if (dir != null) {
                save(dir, net, optimizer, new TrainingState(epoch + 1, 0, step, net.randomState(), schedule.state(),
                        best, bestEpoch, badEpochs, history, TrainingState.EpochProgress.NONE));
            }
            fanOut.onEpochEnd(rec);
            if (cfg.patience() > 0 && badEpochs >= cfg.patience()) {
                stoppedEarly = true;
                break;
            }
        }
        if (cfg.restoreBest() && bestWeights != null) {
            restore(net, bestWeights);
        }
        if (start != null && bestEpoch < 0 && bestWeights == start.weights()) {
            notes.add("no epoch beat the probe-initialised start on validation; the model keeps that start");
        }
        return new FitResult(strategy, history, bestEpoch, bestMetrics, stoppedEarly,
                (System.nanoTime() - started) / 1e9, notes);
    }

    private void guard(double loss, double first, double uniformLoss, int epoch, int batch, Optimizer optimizer,
                       Layer net, Map<String, NamedTensor> bestWeights) {
        // A convex head can start near zero loss; measure against a uniform guess at least.
        boolean bad = !Double.isFinite(loss) || loss > cfg.divergenceFactor() * Math.max(first, uniformLoss);
        if (!bad) {
            return;
        }
        if (bestWeights != null) {
            restore(net, bestWeights);
        }
        double lr = optimizer.groups().get(optimizer.groups().size() - 1).lr();
        throw new DivergenceException("training diverged at epoch " + (epoch + 1) + ", batch " + (batch + 1)
                + ": the loss was " + loss + (Double.isFinite(loss) ? " (first loss " + first + ")" : "")
                + ". Try a lower learning rate: the head's rate was " + String.format("%.3g", lr) + "; try "
                + String.format("%.3g", lr / 10) + ". No checkpoint was written from the diverged state"
                + (bestWeights != null ? "; the model holds the best weights so far." : "."));
    }

    private static int countCorrect(float[] logits, int[] labels, int classes) {
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (logits[i * classes + c] > logits[i * classes + best]) {
                    best = c;
                }
            }
            correct += best == labels[i] ? 1 : 0;
        }
        return correct;
    }

    private void save(Path dir, Layer net, Optimizer optimizer, TrainingState state) {
        try {
            fanOut.onCheckpoint(Checkpoint.save(dir, net, optimizer, state, cfg.keepCheckpoints()));
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint: " + e.getMessage(), e);
        }
    }

    private static Map<String, NamedTensor> snapshot(Layer net) {
        Map<String, NamedTensor> out = new LinkedHashMap<>();
        net.stateDict().forEach((k, v) -> out.put(k, NamedTensor.of(k, v)));
        return out;
    }

    private static void restore(Layer net, Map<String, NamedTensor> weights) {
        Map<String, Tensor> own = net.stateDict();
        weights.forEach((k, v) -> {
            Tensor t = own.get(k);
            if (t != null) {
                t.copyFrom(v.toTensor(t.backend()));
            }
        });
    }

    private static final String BEST = "best.safetensors";

    private static void writeBest(Path dir, Map<String, NamedTensor> weights) {
        try {
            Files.createDirectories(dir);
            Safetensors.write(dir.resolve(BEST), new ArrayList<>(weights.values()), Map.of("format", "fineturn"));
        } catch (IOException e) {
            throw new UncheckedIOException("best checkpoint: " + e.getMessage(), e);
        }
    }

    private static Map<String, NamedTensor> readBest(Path dir) throws IOException {
        Path f = dir.resolve(BEST);
        if (!Files.exists(f)) {
            return null;
        }
        Map<String, NamedTensor> out = new LinkedHashMap<>();
        for (NamedTensor t : Safetensors.read(f).tensors()) {
            out.put(t.name(), t);
        }
        return out;
    }
}
