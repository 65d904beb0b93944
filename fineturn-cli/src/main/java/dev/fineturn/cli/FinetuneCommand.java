package dev.fineturn.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fineturn.cli.report.Charts;
import dev.fineturn.cli.report.HtmlReport;
import dev.fineturn.cli.report.MetricsLog;
import dev.fineturn.cli.report.RunRecord;
import dev.fineturn.data.Augmentations;
import dev.fineturn.data.Dataset;
import dev.fineturn.models.advise.Advice;
import dev.fineturn.models.advise.Advisor;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Init;
import dev.fineturn.spi.Backend;
import dev.fineturn.train.ClassificationMetrics;
import dev.fineturn.train.CrossValidation;
import dev.fineturn.train.Evaluation;
import dev.fineturn.train.FitResult;
import dev.fineturn.train.LrFinder;
import dev.fineturn.train.Strategy;
import dev.fineturn.train.TrainConfig;
import dev.fineturn.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code fineturn finetune}: adapts a pretrained model to a data set with a chosen strategy. */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = "Fine-tune a pretrained model on your data and save it with metrics and a report.")
final class FinetuneCommand implements Callable<Integer> {
    @Mixin
    BackendOption common;

    @Mixin
    PreprocessOption preprocessing;

    @Mixin
    ModelOption modelOption;

    @Option(names = "--data", required = true, paramLabel = "PATH",
            description = "Class-subfolder images, a folder of IDX files, a CSV file, or demo:fashion-mnist.")
    String data;

    @Option(names = "--test-data", paramLabel = "PATH", description = "Held-out test set scored at the end.")
    String testData;

    @Option(names = "--strategy", defaultValue = "auto",
            description = "head, features, partial:K, full, scratch or auto (the advisor decides). Default ${DEFAULT-VALUE}.")
    String strategy;

    @Option(names = "--cut", paramLabel = "NODE", description = "For imported graphs: use features up to this layer.")
    String cut;

    @Option(names = "--epochs", description = "Most epochs; early stopping usually ends sooner. Default: the "
            + "strategy's (15 for pretrained strategies, 10 for scratch; features fits in one pass).")
    Integer epochs;

    @Option(names = "--patience", description = "Epochs without a better validation score before stopping "
            + "(0: never stop early). Default: the strategy's (4; scratch 0).")
    Integer patience;

    @Option(names = "--no-augment", description = "Train on the images as they are. By default image folders get "
            + "a random resized crop and a horizontal flip.")
    boolean noAugment;

    @Option(names = "--augment", description = "Also augment data that is not an image folder (IDX, CSV, demo).")
    boolean augment;

    @Option(names = "--head", defaultValue = "lbfgs", paramLabel = "lbfgs|sgd|mlp:H",
            description = "The new head: linear, fitted by a convex solver for features (L2 chosen by "
                    + "cross-validation) or by epochs of SGD; or mlp:H, a hidden layer of H units (mlp: 256) "
                    + "trained with SGD epochs. Default ${DEFAULT-VALUE}.")
    String head;

    @Option(names = "--train-bn", description = "Let batch norm of pretrained layers use and update batch statistics "
            + "while fine-tuning (default: inference mode, as the Keras guide advises).")
    boolean trainBn;

    @Option(names = "--no-probe-init", description = "Start head/partial/full from a random head instead of the "
            + "convex fit on frozen features.")
    boolean noProbeInit;

    @Option(names = "--batch-size", defaultValue = "32")
    int batchSize;

    @Option(names = "--lr", description = "Head learning rate (the top backbone block gets a tenth, lower blocks less)."
            + " Default: the strategy's.")
    Double lr;

    @Option(names = "--schedule", defaultValue = "cosine", description = "cosine, step:N:G, exp:G, onecycle, plateau, constant.")
    String schedule;

    @Option(names = "--folds", defaultValue = "0", description = "k-fold cross-validation instead of one fit.")
    int folds;

    @Option(names = "--size", defaultValue = "64", description = "Image side length fed to the model.")
    int size;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(names = "--resume", description = "Continue from the checkpoint in DIR/checkpoints.")
    boolean resume;

    @Option(names = "--skip-bad-images", description = "Leave out images that cannot be decoded (counted on "
            + "stderr) instead of stopping before training with the first one's path.")
    boolean skipBadImages;

    @Option(names = "--keep-checkpoints", defaultValue = "2", paramLabel = "N",
            description = "Keep the newest N checkpoints (the best weights are kept apart). Default ${DEFAULT-VALUE}.")
    int keepCheckpoints;

    @Option(names = "--force", description = "Write into a non-empty --out folder: replace an earlier run there "
            + "(its checkpoints are removed), or add to a folder that holds other files.")
    boolean force;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Option(names = "--spark", paramLabel = "MASTER", description = "Run on an Apache Spark cluster (local[N], "
            + "spark://host:7077, yarn): features and an MLlib head (or with --head mlp:H an MLP head by data-parallel "
            + "SGD), then data-parallel epochs for partial:K and full. "
            + "Needs fineturn-spark and Spark on the class path.")
    String spark;

    @Override
    public Integer call() throws Exception {
        SparkJobs sparkJobs = spark == null ? null : SparkJobs.load();
        Backend backend = common.select();
        Init.seed(seed);
        ModelFiles.Loaded loaded = preprocessing.apply(modelOption.open(backend, common.quiet,
                common.verbose));
        Classifier net = loaded.model();
        ObjectNode recipe = loaded.recipe();
        if (spark != null) {
            checkOut();
            print(sparkJobs.finetune(spark, net, recipe, cut, size, data, out, strategy, sparkSettings(), json));
            return 0;
        }
        Dataset train = DataSources.open(data, net.inputChannels(), size, skipBadImages);
        Dataset scoreOn = testData != null ? DataSources.open(testData, net.inputChannels(), size) : null;
        if (scoreOn != null) {
            DataChecks.sameClasses("--test-data " + testData, scoreOn.classNames(), "the training data",
                    train.classNames());
        }
        if (cut != null) {
            net = ModelFiles.cut(net, cut, train.numClasses(), size, recipe);
        }
        recipe.put("numClasses", train.numClasses()).put("newHead", true).put("inputSize", size);
        Strategy s;
        String advice = null;
        Advice a = null;
        if (strategy.equals("auto")) {
            a = Advisor.advise(net, train, Advisor.defaultProbes(net, size), size, seed);
            s = a.strategy();
            advice = a.summary();
            say("advisor: " + advice);
            if (cut == null && net instanceof GraphModel g && a.cutNode() != null
                    && !a.cutNode().equals(Advisor.FEATURES) && s.usesPretrainedWeights()) {
                net = g.truncate(a.cutNode(), train.numClasses(), size);
                recipe.put("cut", a.cutNode()).put("probeSize", size);
            }
            if (a.freezeThrough() != null) {
                int k = new java.util.ArrayList<>(net.children().keySet())
                        .indexOf(GraphModel.sanitize(a.freezeThrough())) + 1;
                s = Strategy.partial(Math.max(1, k));
            }
        } else {
            s = Strategy.parse(strategy);
        }
        TrainConfig cfg = TrainConfig.defaultsFor(s).withBatchSize(batchSize).withSeed(seed)
                .withSchedule(schedule).withCheckpoints(out.resolve("checkpoints"), 0, resume);
        if (a != null) {
            cfg = cfg.withOptimizer(cfg.optimizer(), a.lr(), a.backboneLrFactor()).withSchedule(a.schedule());
            if (s.kind() != Strategy.Kind.FEATURES && lr == null) {
                cfg = withFoundLr(cfg, net, s, train);
            }
        }
        int hidden = hiddenUnits(head);
        TrainConfig.HeadSolver solver = switch (hidden > 0 ? "sgd" : head.toLowerCase(java.util.Locale.ROOT)) {
            case "lbfgs", "convex" -> TrainConfig.HeadSolver.LBFGS;
            case "sgd" -> TrainConfig.HeadSolver.SGD;
            default -> throw new IllegalArgumentException("--head " + head + ": expected lbfgs, sgd or mlp:H");
        };
        if (hidden > 0) {
            recipe.put("headHidden", hidden);
        }
        boolean augmented = !noAugment && (augment || DataSources.isImageFolder(data));
        int w = size;
        cfg = cfg.with(b -> {
            if (epochs != null) {
                b.epochs = epochs;
            }
            if (patience != null) {
                b.patience = patience;
            }
            if (lr != null) {
                b.lr = lr;
            }
            b.headSolver = solver;
            b.headHidden = hidden;
            b.frozenBatchNorm = b.frozenBatchNorm && !trainBn;
            b.probeInitHead = b.probeInitHead && !noProbeInit;
            b.trainTransform = augmented ? Augmentations.standard(w) : null;
            b.keepCheckpoints = keepCheckpoints;
        });
        if (augmented) {
            say("augmentation: random resized crop (60-100% of the area) and horizontal flip; --no-augment turns it "
                    + "off");
        }
        RunSettings runSettings = new RunSettings().put("model", RunSettings.location(modelOption.model)).put("arch", modelOption.arch)
                .put("weights", modelOption.weights == null ? null : RunSettings.location(modelOption.weights.toString()))
                .put("num-classes", modelOption.numClasses)
                .put("data", RunSettings.location(data)).put("strategy", strategy).put("cut", cut)
                .put("head", head).put("batch-size", batchSize).put("size", size).put("seed", seed)
                .put("lr", lr).put("schedule", schedule).put("preprocess", preprocessing.preprocess)
                .put("train-bn", trainBn).put("no-probe-init", noProbeInit).put("augment", augmented)
                .put("folds", folds);
        if (resume) {
            checkResumable(out.resolve("checkpoints"), cfg.epochs());
            runSettings.requireSameAs(out);
        } else {
            checkOut();
        }
        Files.createDirectories(out);
        if (!resume) {
            runSettings.write(out);
        }
        if (folds > 0) {
            CrossValidation.Result cv = CrossValidation.run(PretrainedCopies.of(net, backend), s, train, folds,
                    cfg.withCheckpoints(null, 0, false), new Progress("cv", common.quiet));
            print(String.format("%d-fold cross-validation (%s): %s %.4f +- %.4f  folds %s", folds, s, cv.metric(),
                    cv.mean(), cv.std(), cv.scores()));
            ObjectNode settings = new ObjectMapper().createObjectNode().put("strategy", s.toString())
                    .put("lr", cfg.lr()).put("epochs", cfg.epochs()).put("batch", cfg.batchSize());
            var report = dev.fineturn.cli.report.FoldReport.write(out, "fineturn finetune: " + modelOption.name(), String.format(
                    "Strategy %s, %d-fold cross-validation on %s, seed %d.", s, folds, data, seed),
                    List.of(dev.fineturn.cli.report.FoldReport.fromCrossValidation(s.toString(), false, settings, cv)));
            print(dev.fineturn.cli.report.FoldReport.table(report));
            return 0;
        }
        long t0 = System.nanoTime();
        FitResult fit = new Trainer(cfg).addListener(new Progress(s.toString(), common.quiet)).fit(net, s, train, null);
        int epochsRun = fit.history().size();
        String escalatedFrom = null;
        if (a != null && unfreezeAll(s, fit)) {
            escalatedFrom = s.toString();
            say("auto: fine-tuning after " + s + " did not beat the convex head on validation in " + epochsRun
                    + " epoch(s); unfreezing every layer (layer-wise decaying rates)");
            s = Strategy.FULL;
            Path fullCheckpoints = out.resolve("checkpoints-full");
            TrainConfig unfrozen = cfg.withCheckpoints(fullCheckpoints, 0, resume && Files.isDirectory(fullCheckpoints));
            fit = new Trainer(unfrozen).addListener(new Progress(s.toString(), common.quiet)).fit(net, s, train, null);
            epochsRun += fit.history().size();
            advice = advice + " Escalated: " + escalatedFrom + " kept the convex head, so every layer was unfrozen.";
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        ClassificationMetrics test = scoreOn != null
                ? Evaluation.evaluate(net, scoreOn, 64, backend, null, train.numClasses())
                : fit.best() != null ? fit.best() : fit.last().validation();
        String onnx = ModelFiles.save(out.resolve("model"), net, recipe, train.classNames()).onnxStatus();
        RunRecord run = new RunRecord(s.toString(), fit, test,
                net.trainableParameters().stream().mapToLong(t -> t.numel()).sum(), seconds);
        MetricsLog.write(out.resolve("metrics.jsonl"), List.of(run));
        Charts.curves(out.resolve("loss.png"), "Loss per epoch", "cross-entropy", List.of(run), e -> e.trainLoss(),
                e -> e.validation() == null ? Double.NaN : e.validation().loss());
        Charts.curves(out.resolve("accuracy.png"), "Accuracy per epoch", "accuracy", List.of(run),
                e -> e.trainAccuracy(), e -> e.validation() == null ? Double.NaN : e.validation().top1());
        Charts.confusion(out.resolve("confusion.png"), (scoreOn != null ? "Test" : "Validation") + " confusion matrix",
                test.confusion(), train.classNames());
        HtmlReport.write(out.resolve("index.html"), "fineturn finetune: " + modelOption.name(), "Strategy " + s + " on " + data,
                List.of(run), advice, List.of("accuracy.png", "loss.png", "confusion.png"),
                scoreOn != null ? "test" : "validation");
        if (json) {
            ObjectNode o = new ObjectMapper().createObjectNode().put("strategy", s.toString())
                    .put("accuracy", test.top1()).put("top5", test.top5()).put("loss", test.loss())
                    .put("epochs", epochsRun).put("seconds", seconds)
                    .put("model", out.resolve("model").toString()).put("onnx", onnx);
            if (escalatedFrom != null) {
                o.put("escalated_from", escalatedFrom);
            }
            System.out.println(o);
        } else {
            fit.notes().forEach(n -> say("note: " + n));
            print(String.format("%s: %s accuracy %.4f (top-5 %.4f) after %d epoch(s) in %.1fs; weights from %s; "
                            + "model saved to %s", s, scoreOn != null ? "test" : "validation", test.top1(), test.top5(),
                    epochsRun, seconds, weightsFrom(fit, cfg.monitor()), out.resolve("model")));
            print("ONNX: " + onnx);
        }
        return 0;
    }

    /**
     * What {@code --spark} trains with. {@code partial:K} and {@code full}: the local recipe for the
     * strategy (AdamW, layer-wise rates, cosine, 15 epochs, patience 4) with the standard augmentation
     * unless {@code --no-augment}. The head-only strategies: the features strategy's defaults with 5
     * epochs for an MLP head. Both with this command's epochs, batch size, rate, seed, schedule,
     * patience and {@code --head}.
     */
    private TrainConfig sparkSettings() {
        int hidden = hiddenUnits(head);
        String name = strategy.trim().toLowerCase(java.util.Locale.ROOT);
        boolean fineTunes = name.equals("full") || name.startsWith("partial");
        TrainConfig base = TrainConfig.defaultsFor(fineTunes ? Strategy.parse(strategy) : Strategy.FEATURES);
        int w = size;
        return base.with(b -> {
            b.epochs = epochs != null ? epochs : fineTunes ? b.epochs : 5;
            b.batchSize = batchSize;
            if (lr != null) {
                b.lr = lr;
            }
            b.seed = seed;
            b.schedule = schedule;
            if (patience != null) {
                b.patience = patience;
            }
            b.headHidden = hidden;
            b.headSolver = hidden > 0 ? TrainConfig.HeadSolver.SGD : TrainConfig.HeadSolver.LBFGS;
            b.trainTransform = fineTunes && !noAugment ? Augmentations.standard(w) : null;
        });
    }

    /**
     * Gradual unfreezing, as {@code auto} applies it: when fine-tuning the layers after the advised
     * frozen prefix never beat the convex head on validation, the frozen early layers are what the new
     * domain needs changed, so every layer is unfrozen (at the layer-wise decaying rates that keep the
     * earliest layers slowest) and training goes on from the kept start.
     */
    static boolean unfreezeAll(Strategy advised, FitResult fit) {
        return advised.kind() == Strategy.Kind.PARTIAL && fit.best() != null && fit.bestEpoch() < 0;
    }

    /**
     * The learning-rate range test's suggestion for the head, measured from a fresh head (where the
     * rate matters: a convex head is already at its optimum); pretrained layers stay at or below
     * 1e-4 whatever it finds.
     */
    private TrainConfig withFoundLr(TrainConfig cfg, Classifier net, Strategy s, Dataset train) {
        LrFinder.Result found = LrFinder.find(net, s, train, cfg.with(b -> b.probeInitHead = false), 1e-6, 1, 100);
        // A convex head is near its optimum already: a fast head rate would throw it away.
        double ceiling = s.usesPretrainedWeights() && cfg.probeInitHead() ? 1e-3 : 1e-2;
        double headLr = Math.min(Math.max(found.suggestion(), 1e-5), ceiling);
        double factor = s.usesPretrainedWeights() ? Math.min(cfg.backboneLrFactor(), MAX_PRETRAINED_LR / headLr) : 1.0;
        say("lr-find: " + found + String.format("; head %.2e, top pretrained block %.2e", headLr, headLr * factor));
        return cfg.withOptimizer(cfg.optimizer(), headLr, factor);
    }

    private static final double MAX_PRETRAINED_LR = 1e-4;

    /** Hidden units of {@code mlp:H} (256 for a bare {@code mlp}); 0 for a linear head. */
    static int hiddenUnits(String head) {
        String h = head.toLowerCase(java.util.Locale.ROOT);
        if (!h.startsWith("mlp")) {
            return 0;
        }
        if (h.equals("mlp")) {
            return 256;
        }
        try {
            int units = Integer.parseInt(h.substring(h.indexOf(':') + 1));
            if (units > 0 && h.charAt(3) == ':') {
                return units;
            }
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            // reported below
        }
        throw new IllegalArgumentException("--head " + head + ": expected mlp:H with H hidden units, e.g. mlp:256");
    }

    /**
     * Nothing is overwritten unasked: a non-empty {@code --out} needs {@code --force}, and then an
     * earlier run's checkpoints go, so that none is mistaken for this run's.
     */
    private void checkOut() throws java.io.IOException {
        if (!Files.isDirectory(out)) {
            if (Files.exists(out)) {
                throw new IllegalArgumentException("--out " + out + " is a file, not a folder");
            }
            return;
        }
        boolean empty;
        try (var s = Files.list(out)) {
            empty = s.findAny().isEmpty();
        }
        if (empty) {
            return;
        }
        boolean run = Files.exists(out.resolve("metrics.jsonl")) || Files.exists(out.resolve(RunSettings.FILE))
                || Files.isDirectory(out.resolve("checkpoints"))
                || Files.exists(out.resolve("model").resolve(ModelFiles.ARCHITECTURE));
        if (!force) {
            throw new IllegalArgumentException("--out " + out + (run
                    ? " holds an earlier fineturn run; give --resume to continue it or --force to replace it"
                    : " is not empty and is not a fineturn run; choose another folder or give --force"));
        }
        Path checkpoints = out.resolve("checkpoints");
        if (run && Files.isDirectory(checkpoints)) {
            try (var walk = Files.walk(checkpoints)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** A resume needs a checkpoint, and one that has epochs left to train. */
    private static void checkResumable(Path checkpoints, int epochs) throws java.io.IOException {
        Path latest = java.nio.file.Files.isDirectory(checkpoints)
                ? dev.fineturn.train.Checkpoint.latest(checkpoints) : null;
        if (latest == null) {
            throw new IllegalArgumentException("--resume: no checkpoint in " + checkpoints
                    + "; run without --resume to start training");
        }
        int done = dev.fineturn.train.Checkpoint.epochOf(latest);
        if (done >= epochs) {
            throw new IllegalArgumentException("--resume: the run in " + checkpoints.getParent() + " already finished "
                    + done + " of " + epochs + " epochs; give --epochs with more than " + done + " to train further");
        }
    }

    private static String weightsFrom(FitResult fit, String monitor) {
        if (fit.strategy().kind() == Strategy.Kind.FEATURES && fit.history().size() == 1) {
            return "the convex fit";
        }
        if (fit.best() == null) {
            return "the last epoch (" + fit.history().size() + ")";
        }
        return fit.bestEpoch() < 0 ? "the probe-initialised start (no epoch improved on it)"
                : String.format("epoch %d (best validation by %s: loss %.4f, accuracy %.4f)", fit.bestEpoch() + 1,
                monitor, fit.best().loss(), fit.best().top1());
    }

    private void say(String s) {
        if (!common.quiet && !json) {
            System.err.println(s);
        }
    }

    private void print(String s) {
        System.out.println(s);
    }
}
