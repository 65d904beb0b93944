package dev.fineturn.cli;

import dev.fineturn.cli.report.Charts;
import dev.fineturn.data.Dataset;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Init;
import dev.fineturn.spi.Backend;
import dev.fineturn.train.LrFinder;
import dev.fineturn.train.Strategy;
import dev.fineturn.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code fineturn lr-find}: the learning-rate range test for a model, strategy and data set. */
@Command(name = "lr-find", mixinStandardHelpOptions = true,
        description = "Learning-rate range test: raise the rate every batch, record the loss, suggest a rate.")
final class LrFindCommand implements Callable<Integer> {
    @Mixin
    BackendOption common;

    @Mixin
    PreprocessOption preprocessing;

    @Mixin
    ModelOption modelOption;

    @Option(names = "--data", required = true, paramLabel = "PATH")
    String data;

    @Option(names = "--strategy", defaultValue = "full", description = "head, partial:K, full or scratch. "
            + "Default ${DEFAULT-VALUE}.")
    String strategy;

    @Option(names = "--cut", paramLabel = "NODE", description = "For imported graphs: use features up to this layer.")
    String cut;

    @Option(names = "--size", defaultValue = "64")
    int size;

    @Option(names = "--batch-size", defaultValue = "32")
    int batchSize;

    @Option(names = "--min-lr", defaultValue = "1e-7")
    double minLr;

    @Option(names = "--max-lr", defaultValue = "1")
    double maxLr;

    @Option(names = "--steps", defaultValue = "100")
    int steps;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Write the loss curve here.")
    Path plot;

    @Override
    public Integer call() throws Exception {
        Backend backend = common.select();
        Init.seed(seed);
        ModelFiles.Loaded loaded = preprocessing.apply(modelOption.open(backend, common.quiet,
                common.verbose));
        Classifier net = loaded.model();
        Dataset train = DataSources.open(data, net.inputChannels(), size);
        if (cut != null) {
            net = ModelFiles.cut(net, cut, train.numClasses(), size, loaded.recipe());
        }
        Strategy s = Strategy.parse(strategy);
        if (s.kind() == Strategy.Kind.FEATURES) {
            throw new IllegalArgumentException("lr-find: the features strategy fits its head with a convex solver "
                    + "and needs no learning rate; use head, partial:K, full or scratch");
        }
        TrainConfig cfg = TrainConfig.defaultsFor(s).withBatchSize(batchSize).withSeed(seed)
                .with(b -> b.probeInitHead = false);
        LrFinder.Result r = LrFinder.find(net, s, train, cfg, minLr, maxLr, steps);
        for (int i = 0; i < r.lrs().size(); i += Math.max(1, r.lrs().size() / 12)) {
            System.out.printf("lr %.2e  loss %.4f%n", r.lrs().get(i), r.smoothedLoss().get(i));
        }
        if (plot != null) {
            Charts.lrRange(plot, r.lrs(), r.smoothedLoss(), r.suggestion());
            System.out.println("plot: " + plot);
        }
        System.out.println(r);
        return 0;
    }
}
