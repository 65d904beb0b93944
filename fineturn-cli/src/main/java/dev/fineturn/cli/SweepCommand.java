package dev.fineturn.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fineturn.cli.report.FoldReport;
import dev.fineturn.cli.report.FoldStatistics;
import dev.fineturn.data.Dataset;
import dev.fineturn.data.Datasets;
import dev.fineturn.data.Split;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Init;
import dev.fineturn.spi.Backend;
import dev.fineturn.train.PixelProbe;
import dev.fineturn.train.ClassificationMetrics;
import dev.fineturn.train.CrossValidation;
import dev.fineturn.train.DivergenceException;
import dev.fineturn.train.Evaluation;
import dev.fineturn.train.Strategy;
import dev.fineturn.train.TrainConfig;
import dev.fineturn.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * {@code fineturn sweep}: k-fold cross-validation of every configuration in a grid (strategy,
 * learning rate, epochs, batch size) on the same folds, with a scratch and a raw-pixel baseline,
 * a ranking with confidence intervals and paired t-tests, and a refit of the winner on all data.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Cross-validate a grid of configurations on the same folds, rank them, and refit the best.")
final class SweepCommand implements Callable<Integer> {
    /** The grid's axes, in the order configurations are named. */
    static final List<String> AXES = List.of("strategy", "lr", "epochs", "batch");

    @Mixin
    BackendOption common;

    @Mixin
    PreprocessOption preprocessing;

    @Mixin
    ModelOption modelOption;

    @Option(names = "--data", required = true, paramLabel = "PATH",
            description = "Class-subfolder images, a folder of IDX files, a CSV file, or demo:fashion-mnist.")
    String data;

    @Option(names = "--test-data", paramLabel = "PATH", description = "Held-out test set scored by the refit winner.")
    String testData;

    @Option(names = "--grid", required = true, paramLabel = "AXIS=V1,V2,...",
            description = "One axis of the grid (repeatable): strategy=head,features,partial:K,full,scratch; "
                    + "lr=1e-4,3e-4; epochs=3,5; batch=16,32. Every combination is cross-validated.")
    List<String> grid;

    @Option(names = "--folds", defaultValue = "5", description = "Number of folds k (at least 2). Default ${DEFAULT-VALUE}.")
    int folds;

    @Option(names = "--epochs", defaultValue = "5", description = "Epochs where the grid has no epochs axis.")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "32", description = "Batch size where the grid has no batch axis.")
    int batchSize;

    @Option(names = "--schedule", defaultValue = "cosine", description = "cosine, step:N:G, exp:G, onecycle, plateau, constant.")
    String schedule;

    @Option(names = "--cut", paramLabel = "NODE", description = "For imported graphs: use features up to this layer.")
    String cut;

    @Option(names = "--size", defaultValue = "64", description = "Image side length fed to the model.")
    int size;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the folds, the shuffling and the initialisation.")
    long seed;

    @Option(names = "--baselines", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Also score training from scratch and a linear classifier on the raw pixels on the same "
                    + "folds (default). --no-baselines skips them.")
    boolean baselines;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(names = "--force", description = "Write into a non-empty --out that holds no previous sweep.")
    boolean force;

    @Option(names = "--spark", paramLabel = "MASTER", description = "Cross-validate on an Apache Spark cluster "
            + "(local[N], spark://host:7077, yarn): every configuration and fold is a task of its own, on the images "
            + "under --data (class subfolders), which every task holds in memory; the winner is refit as one task. "
            + "Needs fineturn-spark and Spark on the class path.")
    String spark;

    /** The pixel baseline; replaceable for other solvers. */
    private static final String PIXELS = SweepCell.PIXELS;

    /** One point of the grid; a null lr means the strategy's default. */
    record Config(String name, Strategy strategy, String lrText, Double lr, int epochs, int batch) {
        ObjectNode settings() {
            ObjectNode n = new ObjectMapper().createObjectNode().put("strategy", strategy.toString());
            if (lr != null) {
                n.put("lr", lr);
            } else {
                n.putNull("lr");
            }
            return n.put("epochs", epochs).put("batch", batch);
        }
    }

    @Override
    public Integer call() throws Exception {
        List<Config> configs = configurations(grid, epochs, batchSize);
        if (folds < 2) {
            throw new IllegalArgumentException("--folds " + folds + ": a sweep needs at least 2 folds");
        }
        checkOut(out, force);
        SparkJobs sparkJobs = spark == null ? null : SparkJobs.load();
        Backend backend = common.select();
        Init.seed(seed);
        ModelFiles.Loaded loaded = preprocessing.apply(modelOption.open(backend, common.quiet,
                common.verbose));
        Classifier net = loaded.model();
        ObjectNode recipe = loaded.recipe();
        if (sparkJobs != null) {
            return onSpark(sparkJobs, configs, net, recipe, backend);
        }
        Dataset train = DataSources.open(data, net.inputChannels(), size);
        if (cut != null) {
            net = ModelFiles.cut(net, cut, train.numClasses(), size, recipe);
        }
        recipe.put("numClasses", train.numClasses()).put("newHead", true).put("inputSize", size);
        int blocks = net.children().size();
        for (Config c : configs) {
            if (c.strategy().kind() == Strategy.Kind.PARTIAL && c.strategy().frozenBlocks() >= blocks) {
                throw new IllegalArgumentException("strategy " + c.strategy() + ": the model has only " + blocks
                        + " blocks " + net.children().keySet() + "; freeze fewer than " + blocks);
            }
        }
        if (folds > train.size()) {
            throw new IllegalArgumentException("--folds " + folds + " exceeds the " + train.size() + " samples");
        }
        Files.createDirectories(out);
        Supplier<Classifier> fresh = PretrainedCopies.of(net, backend);
        int total = configs.size() + (baselines ? 2 : 0);
        List<FoldReport.Row> rows = new ArrayList<>();
        int done = 0;
        for (Config c : configs) {
            say(String.format("sweep [%d/%d] %s", ++done, total, c.name()));
            rows.add(crossValidate(c.name(), false, c.settings(), fresh, c.strategy(), train, config(c)));
        }
        if (baselines) {
            int e = configs.stream().mapToInt(Config::epochs).max().orElse(epochs);
            int b = configs.get(0).batch();
            TrainConfig scratch = TrainConfig.defaultsFor(Strategy.SCRATCH).withEpochs(e).withBatchSize(b)
                    .withSeed(seed).withSchedule(schedule);
            say(String.format("sweep [%d/%d] scratch (baseline)", ++done, total));
            ObjectNode settings = new ObjectMapper().createObjectNode().put("strategy", "scratch")
                    .put("lr", scratch.lr()).put("epochs", e).put("batch", b);
            rows.add(crossValidate("scratch (baseline)", true, settings, fresh, Strategy.SCRATCH, train, scratch));
            say(String.format("sweep [%d/%d] %s (baseline)", ++done, total, PIXELS));
            rows.add(pixels(train));
        }
        String intro = intro(configs, train.size(), train.numClasses(), ".");
        Ranked ranked = report(intro, configs, rows);
        List<String> notes = refit(ranked.best(), fresh, train, recipe, backend);
        FoldReport.writeHtml(out, title(), intro, ranked.result(), notes);
        return 0;
    }

    private String title() {
        return "fineturn sweep: " + modelOption.name();
    }

    private String intro(List<Config> configs, int images, int classes, String end) {
        return String.format("%d configurations%s, %d-fold cross-validation on %s (%d images, %d classes), seed %d%s",
                configs.size(), baselines ? " and 2 baselines" : "", folds, data, images, classes, seed, end);
    }

    /** The written report and its winner. */
    private record Ranked(FoldReport.Result result, Config best) {
    }

    /** Ranks the rows, writes the report and prints its table; the winner is the best configuration. */
    private Ranked report(String intro, List<Config> configs, List<FoldReport.Row> rows) throws IOException {
        FoldReport.Result result = FoldReport.write(out, title(), intro, rows);
        System.out.println(FoldReport.table(result));
        FoldStatistics.Ranked winner = result.winner();
        if (winner == null) {
            throw new IllegalStateException("no configuration could be scored; see " + out.resolve(FoldReport.SWEEP));
        }
        return new Ranked(result, configs.stream().filter(c -> c.name().equals(winner.name())).findFirst()
                .orElseThrow());
    }

    /**
     * The sweep on a cluster: the same cells (configurations, then the scratch and pixel baselines)
     * cross-validated on the same folds as tasks, the same report, and the winner refit as one task.
     */
    private int onSpark(SparkJobs jobs, List<Config> configs, Classifier net, ObjectNode recipe, Backend backend)
            throws Exception {
        List<SweepCell> cells = new ArrayList<>();
        List<ObjectNode> settings = new ArrayList<>();
        for (Config c : configs) {
            cells.add(cell(c));
            settings.add(c.settings());
        }
        if (baselines) {
            int e = configs.stream().mapToInt(Config::epochs).max().orElse(epochs);
            int b = configs.get(0).batch();
            SweepCell scratch = new SweepCell("scratch (baseline)", "scratch", null, e, b, schedule, seed);
            cells.add(scratch);
            settings.add(new ObjectMapper().createObjectNode().put("strategy", "scratch")
                    .put("lr", scratch.config().lr()).put("epochs", e).put("batch", b));
            cells.add(new SweepCell(PIXELS + " (baseline)", PIXELS, null, 1, 1, schedule, seed));
            settings.add(new ObjectMapper().createObjectNode().put("strategy", PIXELS));
        }
        say(String.format("sweep on %s: %d configurations x %d folds as tasks", spark, cells.size(), folds));
        SparkJobs.CrossValidated cv = jobs.crossValidate(spark, net, recipe.deepCopy(), cut, size, data, cells, folds);
        List<FoldReport.Row> rows = new ArrayList<>();
        for (int i = 0; i < cells.size(); i++) {
            SweepCell c = cells.get(i);
            SparkJobs.CellFolds r = cv.cells().get(i);
            boolean baseline = i >= configs.size();
            rows.add(r.error() != null ? FoldReport.failed(c.name(), baseline, settings.get(i), r.error())
                    : new FoldReport.Row(c.name(), baseline, settings.get(i), r.folds(), null));
        }
        String intro = intro(configs, cv.images(), cv.classes().size(), ", on " + spark + ".");
        Ranked ranked = report(intro, configs, rows);
        Config best = ranked.best();
        say("sweep: refitting " + best.name() + " on all " + cv.images() + " images on " + spark);
        SparkJobs.Trained trained = jobs.trainOnAll(spark, net, recipe, cut, size, data, cell(best));
        List<String> notes = new ArrayList<>();
        Path dir = out.resolve("model");
        ModelFiles.save(dir, trained.model(), recipe, trained.classes());
        String line = String.format("winner: %s (the grid's best), refit on all %d images in %.1fs on %s; model "
                + "saved to %s", best.name(), cv.images(), trained.seconds(), spark, dir);
        System.out.println(line);
        notes.add(line.replace(dir.toString(), "model/"));
        if (testData != null) {
            notes.add(scoreTest(best, trained.model(), backend, trained.classes().size()));
        }
        FoldReport.writeHtml(out, title(), intro, ranked.result(), notes);
        return 0;
    }

    private SweepCell cell(Config c) {
        return new SweepCell(c.name(), c.strategy().toString(), c.lr(), c.epochs(), c.batch(), schedule, seed);
    }

    /** The refit winner's scores on the test data, printed and returned as a line. */
    private String scoreTest(Config best, Classifier m, Backend backend, int classes) throws IOException {
        Dataset test = DataSources.open(testData, m.inputChannels(), size);
        ClassificationMetrics t = Evaluation.evaluate(m, test, 64, backend, null, classes);
        String s = String.format("test accuracy of %s: %.4f (top-5 %.4f, loss %.4f) on %d images", best.name(),
                t.top1(), t.top5(), t.loss(), test.size());
        System.out.println(s);
        return s;
    }

    /** Trains the winner on all of the training data, saves it and scores the test data if given. */
    private List<String> refit(Config best, Supplier<Classifier> fresh, Dataset train, ObjectNode recipe,
                               Backend backend) throws IOException {
        List<String> notes = new ArrayList<>();
        Classifier m = fresh.get();
        TrainConfig cfg = config(best).withValidationFraction(0);
        say("sweep: refitting " + best.name() + " on all " + train.size() + " images");
        long t0 = System.nanoTime();
        new Trainer(cfg).addListener(new Progress(best.name(), common.quiet)).fit(m, best.strategy(), train, null);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Path dir = out.resolve("model");
        ModelFiles.save(dir, m, recipe, train.classNames());
        String line = String.format("winner: %s (the grid's best), refit on all %d images in %.1fs; model saved "
                + "to %s", best.name(), train.size(), seconds, dir);
        System.out.println(line);
        notes.add(line.replace(dir.toString(), "model/"));
        if (testData != null) {
            notes.add(scoreTest(best, m, backend, train.numClasses()));
        }
        return notes;
    }

    private FoldReport.Row crossValidate(String name, boolean baseline, ObjectNode settings,
                                         Supplier<Classifier> fresh, Strategy s, Dataset train, TrainConfig cfg) {
        try {
            CrossValidation.Result cv = CrossValidation.run(fresh, s, train, folds, cfg,
                    new Progress(name, common.quiet));
            FoldReport.Row row = FoldReport.fromCrossValidation(name, baseline, settings, cv);
            say(String.format("sweep: %s: mean accuracy %.4f over %d folds", name, cv.scores().stream()
                    .mapToDouble(Double::doubleValue).average().orElse(Double.NaN), folds));
            return row;
        } catch (DivergenceException e) {
            say("sweep: " + name + " diverged: " + e.getMessage());
            return FoldReport.failed(name, baseline, settings, "diverged: " + e.getMessage());
        }
    }

    private FoldReport.Row pixels(Dataset train) {
        List<FoldReport.Fold> scores = new ArrayList<>();
        int f = 0;
        for (Split fold : Datasets.kFold(train, folds, seed)) {
            long t0 = System.nanoTime();
            double acc = PixelProbe.evaluate(fold.train(), fold.validation(), PixelProbe.SIDE, 5, seed + f).top1();
            scores.add(new FoldReport.Fold(f, acc, null, null, (System.nanoTime() - t0) / 1e9));
            f++;
        }
        ObjectNode settings = new ObjectMapper().createObjectNode().put("strategy", PIXELS);
        return new FoldReport.Row(PIXELS + " (baseline)", true, settings, scores, null);
    }

    private TrainConfig config(Config c) {
        return cell(c).config();
    }

    /**
     * The cartesian product of the grid's axes, named by the strategy and each other axis given,
     * e.g. "features lr=1e-4 epochs=3".
     */
    static List<Config> configurations(List<String> grid, int defaultEpochs, int defaultBatch) {
        Map<String, List<String>> axes = new LinkedHashMap<>();
        for (String g : grid) {
            int eq = g.indexOf('=');
            String axis = (eq < 0 ? g : g.substring(0, eq)).trim().toLowerCase(java.util.Locale.ROOT);
            if (!AXES.contains(axis)) {
                throw new IllegalArgumentException("unknown grid axis '" + axis + "'; known: "
                        + String.join(", ", AXES));
            }
            if (eq < 0) {
                throw new IllegalArgumentException("--grid " + g + ": give values, e.g. --grid " + axis + "=A,B");
            }
            List<String> values = Stream.of(g.substring(eq + 1).split(",")).map(String::trim)
                    .filter(v -> !v.isEmpty()).distinct().toList();
            if (values.isEmpty()) {
                throw new IllegalArgumentException("--grid " + g + ": no values");
            }
            if (axes.put(axis, values) != null) {
                throw new IllegalArgumentException("--grid: axis '" + axis + "' given twice; list its values "
                        + "once, comma-separated");
            }
        }
        if (!axes.containsKey("strategy")) {
            throw new IllegalArgumentException("--grid needs a strategy axis, e.g. --grid strategy=head,features");
        }
        List<Config> out = new ArrayList<>();
        List<String> lrs = axes.getOrDefault("lr", java.util.Collections.singletonList(null));
        List<String> eps = axes.getOrDefault("epochs", List.of(Integer.toString(defaultEpochs)));
        List<String> bs = axes.getOrDefault("batch", List.of(Integer.toString(defaultBatch)));
        for (String st : axes.get("strategy")) {
            Strategy s = Strategy.parse(st);
            for (String lr : lrs) {
                Double lrValue = lr == null ? null : positive("lr", lr);
                for (String e : eps) {
                    int ev = integer("epochs", e);
                    for (String b : bs) {
                        int bv = integer("batch", b);
                        StringBuilder name = new StringBuilder(s.toString());
                        if (lr != null) {
                            name.append(" lr=").append(lr);
                        }
                        if (axes.containsKey("epochs")) {
                            name.append(" epochs=").append(ev);
                        }
                        if (axes.containsKey("batch")) {
                            name.append(" batch=").append(bv);
                        }
                        out.add(new Config(name.toString(), s, lr, lrValue, ev, bv));
                    }
                }
            }
        }
        List<String> names = out.stream().map(Config::name).toList();
        if (names.stream().distinct().count() != names.size()) {
            throw new IllegalArgumentException("--grid: some configurations repeat (e.g. head and head_only); "
                    + "list each once");
        }
        return out;
    }

    private static double positive(String axis, String v) {
        try {
            double d = Double.parseDouble(v);
            if (d > 0 && Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--grid " + axis + "=" + v + ": not a positive number");
    }

    private static int integer(String axis, String v) {
        try {
            int i = Integer.parseInt(v);
            if (i > 0) {
                return i;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--grid " + axis + "=" + v + ": not a positive whole number");
    }

    /** Refuses a non-empty folder that holds no previous sweep, unless forced. */
    static void checkOut(Path out, boolean force) throws IOException {
        if (force || !Files.isDirectory(out) || Files.exists(out.resolve(FoldReport.SWEEP))) {
            if (Files.exists(out) && !Files.isDirectory(out)) {
                throw new IllegalArgumentException("--out " + out + " is a file, not a folder");
            }
            return;
        }
        try (Stream<Path> s = Files.list(out)) {
            if (s.findAny().isPresent()) {
                throw new IllegalArgumentException("--out " + out + " is not empty and holds no previous sweep; "
                        + "choose another folder or add --force");
            }
        }
    }

    private void say(String s) {
        if (!common.quiet) {
            System.err.println(s);
        }
    }
}
