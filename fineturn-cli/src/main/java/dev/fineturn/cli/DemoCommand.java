package dev.fineturn.cli;

import dev.fineturn.cli.demo.DemoData;
import dev.fineturn.cli.report.Charts;
import dev.fineturn.cli.report.FilterGrid;
import dev.fineturn.cli.report.HtmlReport;
import dev.fineturn.cli.report.MetricsLog;
import dev.fineturn.cli.report.RunRecord;
import dev.fineturn.data.InMemoryDataset;
import dev.fineturn.models.advise.Advice;
import dev.fineturn.models.advise.Advisor;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.keras.TfjsLayersModel;
import dev.fineturn.nn.Init;
import dev.fineturn.spi.Backend;
import dev.fineturn.train.ClassificationMetrics;
import dev.fineturn.train.EpochRecord;
import dev.fineturn.train.PixelProbe;
import dev.fineturn.train.Evaluation;
import dev.fineturn.train.FitResult;
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
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code fineturn demo}: fine-tunes the bundled pretrained MobileNetV2 on a bundled Fashion-MNIST
 * subset with each strategy, prints a side-by-side table and writes a report folder.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Fine-tune the bundled pretrained MobileNetV2 on bundled Fashion-MNIST with every strategy "
                + "and compare them.")
final class DemoCommand implements Callable<Integer> {
    static final String MODEL = "/dev/fineturn/models/pretrained/mobilenet_v2/model.json";
    static final String CUT = "block_13_expand_relu";
    static final String FROZEN_UNTIL = "block_10_project_BN";

    @Mixin
    BackendOption common;

    @Option(names = "--epochs", defaultValue = "6", description = "Most epochs per trained strategy; early stopping "
            + "(patience 2) usually ends sooner. Default ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--size", defaultValue = "64", description = "Input size the 28x28 images are resized to. Default ${DEFAULT-VALUE}.")
    int size;

    @Option(names = "--out", defaultValue = "reports/demo", description = "Report folder. Default ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for shuffling and new heads.")
    long seed;

    @Override
    public Integer call() throws IOException {
        Backend backend = common.select();
        long started = System.nanoTime();
        say("fineturn demo: transfer learning from a real pretrained MobileNetV2 (ImageNet backbone, TF.js) to "
                + "Fashion-MNIST");
        say("backend: " + backend.name());
        InMemoryDataset train = DemoData.prepare(DemoData.train(), size);
        InMemoryDataset test = DemoData.prepare(DemoData.test(), size);
        say(String.format("data: %d training images (20%% held out for validation), %d test images, 10 classes, "
                + "28x28 grey resized to %dx%d RGB", train.size(), test.size(), size, size));
        GraphModel probe = pretrained(backend);
        say(String.format("model: MobileNetV2 cut at %s (%,d parameters) + a new 10-class head", CUT,
                probe.parameterCount()));
        int partialK = blockIndex(probe, FROZEN_UNTIL) + 1;

        Advice advice = Advisor.advise(pretrainedFull(backend), train, List.of("block_6_expand_relu", CUT, "out_relu"),
                size, seed);
        say("advisor: " + advice.summary());

        List<RunRecord> runs = new ArrayList<>();
        runs.add(pixelBaseline(train, test));
        runs.add(run("scratch (baseline)", Strategy.SCRATCH, train, test, backend));
        runs.add(run("full fine-tune", Strategy.FULL, train, test, backend));
        runs.add(run("partial:" + partialK + " (frozen to " + FROZEN_UNTIL + ")", Strategy.partial(partialK), train,
                test, backend));
        runs.add(run("head-only", Strategy.HEAD_ONLY, train, test, backend));
        runs.add(run("features", Strategy.FEATURES, train, test, backend));
        Strategy pick = advice.strategy().kind() == Strategy.Kind.PARTIAL ? Strategy.partial(partialK)
                : advice.strategy();
        RunRecord same = runs.stream().filter(r -> r.fit().strategy().equals(pick) && !r.name().startsWith("baseline"))
                .findFirst().orElse(null);
        runs.add(same != null ? new RunRecord("advisor's pick: " + same.name(), same.fit(), same.test(),
                same.trainableParameters(), same.seconds())
                : run("advisor's pick: " + pick, pick, train, test, backend));

        printTable(runs);
        writeReport(runs, advice, test);
        say(String.format("report: %s/index.html (total %s)", out,
                Progress.format(java.time.Duration.ofNanos(System.nanoTime() - started))));
        return 0;
    }

    private void say(String s) {
        if (!common.quiet) {
            System.out.println(s);
        }
    }

    static GraphModel pretrainedFull(Backend backend) throws IOException {
        Init.useBackend(backend);
        GraphModel m = TfjsLayersModel.loadResource(TfjsLayersModel.class, MODEL);
        m.to(backend);
        return m;
    }

    private GraphModel pretrained(Backend backend) throws IOException {
        return pretrainedFull(backend).truncate(CUT, 10, size);
    }

    private static int blockIndex(GraphModel m, String node) {
        int i = 0;
        for (String name : m.children().keySet()) {
            if (name.equals(node)) {
                return i;
            }
            i++;
        }
        throw new IllegalStateException("node " + node + " not in the model");
    }

    private RunRecord run(String name, Strategy s, InMemoryDataset train, InMemoryDataset test, Backend backend)
            throws IOException {
        say("\n== " + name + " ==");
        Init.seed(seed);
        GraphModel model = pretrained(backend);
        TrainConfig cfg = TrainConfig.defaultsFor(s).withEpochs(epochs).withBatchSize(32).withSeed(seed)
                .with(b -> b.patience = s.kind() == Strategy.Kind.SCRATCH ? 0 : 2);
        Progress progress = new Progress(name, common.quiet);
        long t0 = System.nanoTime();
        FitResult fit = new Trainer(cfg).addListener(progress).fit(model, s, train, null);
        double seconds = (System.nanoTime() - t0) / 1e9;
        ClassificationMetrics m = Evaluation.evaluate(model, test, 64, backend, null, 10);
        fit.notes().forEach(n -> say("  " + n));
        say(String.format("%s: test accuracy %.3f (%d epochs, %.1fs)", name, m.top1(), fit.history().size(), seconds));
        long trainable = s.kind() == Strategy.Kind.FEATURES ? model.head().parameterCount()
                : model.trainableParameters().stream().mapToLong(t -> t.numel()).sum();
        return new RunRecord(name, fit, m, trainable, seconds);
    }

    /** The convex probe on raw pixels: what transfer has to beat. */
    private RunRecord pixelBaseline(InMemoryDataset train, InMemoryDataset test) {
        say("\n== baseline: linear probe on raw pixels ==");
        long t0 = System.nanoTime();
        ClassificationMetrics m = PixelProbe.evaluate(train, test, PixelProbe.SIDE, 5, seed);
        double seconds = (System.nanoTime() - t0) / 1e9;
        say(String.format("pixels: test accuracy %.3f (%.1fs)", m.top1(), seconds));
        EpochRecord only = new EpochRecord(0, Double.NaN, Double.NaN, null, Double.NaN, seconds, false);
        FitResult fit = new FitResult(Strategy.FEATURES, List.of(only), 0, null, false, seconds,
                List.of("logistic regression on " + PixelProbe.SIDE + "x" + PixelProbe.SIDE + " pixels"));
        return new RunRecord("baseline: linear probe on raw pixels", fit, m,
                (long) (3 * PixelProbe.SIDE * PixelProbe.SIDE + 1) * train.numClasses(), seconds);
    }

    private void printTable(List<RunRecord> runs) {
        System.out.println();
        System.out.printf("%-44s %9s %7s %7s %9s %12s%n", "strategy", "test acc", "top-5", "epochs", "time", "trainable");
        for (RunRecord r : runs) {
            System.out.printf("%-44s %9.3f %7.3f %7d %8.1fs %,12d%n", r.name(), r.test().top1(), r.test().top5(),
                    r.fit().history().size(), r.seconds(), r.trainableParameters());
        }
        System.out.println();
    }

    private void writeReport(List<RunRecord> runs, Advice advice, InMemoryDataset test) throws IOException {
        Files.createDirectories(out);
        MetricsLog.write(out.resolve("metrics.jsonl"), runs);
        List<RunRecord> distinct = runs.subList(0, runs.size() - 1).stream()
                .filter(r -> r.fit().history().size() > 1).toList();
        Charts.curves(out.resolve("loss.png"), "Loss per epoch", "cross-entropy", distinct, r -> r.trainLoss(),
                r -> r.validation().loss());
        Charts.curves(out.resolve("accuracy.png"), "Accuracy per epoch", "accuracy", distinct, r -> r.trainAccuracy(),
                r -> r.validation().top1());
        RunRecord best = runs.stream().max(java.util.Comparator.comparingDouble(r -> r.test().top1())).orElseThrow();
        Charts.confusion(out.resolve("confusion.png"), "Test confusion matrix: " + best.name(), best.test().confusion(),
                test.classNames());
        GraphModel full = pretrainedFull(dev.fineturn.backend.Backends.defaultBackend());
        FilterGrid.write(out.resolve("filters.png"), FilterGrid.firstConvolution(full).getValue(), 12);
        HtmlReport.write(out.resolve("index.html"), "fineturn demo: MobileNetV2 to Fashion-MNIST",
                "Each strategy starts from the pretrained MobileNetV2 cut at " + CUT + " with a new 10-class head "
                        + "and is scored on a held-out test split.", runs, advice.summary(),
                List.of("accuracy.png", "loss.png", "confusion.png", "filters.png"));
    }
}
