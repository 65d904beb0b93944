package dev.fineturn.cli;

import dev.fineturn.data.Dataset;
import dev.fineturn.spi.Backend;
import dev.fineturn.train.ClassificationMetrics;
import dev.fineturn.train.Evaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code fineturn evaluate}: metrics and a confusion matrix of a model on a data set. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, description = "Score a model on labelled data.")
final class EvaluateCommand implements Callable<Integer> {
    @Mixin
    BackendOption common;

    @Mixin
    PreprocessOption preprocessing;

    @Mixin
    ModelOption modelOption;

    @Option(names = "--data", required = true)
    String data;

    @Option(names = "--size", description = "Side length images are resized to. Default: the size the model was "
            + "fine-tuned at (recorded in its folder), else " + DEFAULT_SIZE + ".")
    Integer size;

    private static final int DEFAULT_SIZE = 64;

    @Option(names = "--json")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Backend backend = common.select();
        ModelFiles.Loaded m = preprocessing.apply(modelOption.open(backend, common.quiet, common.verbose));
        int side = size != null ? size : m.recipe().path("inputSize").asInt(DEFAULT_SIZE);
        Dataset d = DataSources.open(data, m.model().inputChannels(), side);
        List<String> recorded = new java.util.ArrayList<>();
        m.recipe().path("classes").forEach(v -> recorded.add(v.asText()));
        if (!recorded.isEmpty()) {
            DataChecks.sameClasses("--data " + data, d.classNames(), "the model", recorded);
        }
        if (d.numClasses() > m.model().numClasses()) {
            throw new IllegalArgumentException("the data has " + d.numClasses() + " classes but the model predicts "
                    + m.model().numClasses());
        }
        ClassificationMetrics r = Evaluation.evaluate(m.model(), d, 64, backend, null, m.model().numClasses());
        if (json) {
            System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(java.util.Map.of(
                    "accuracy", r.top1(), "top5", r.top5(), "loss", r.loss(), "macro_f1", r.macroF1(),
                    "samples", r.samples(), "confusion", r.confusion())));
            return 0;
        }
        System.out.printf("samples %d, accuracy %.4f, top-5 %.4f, loss %.4f, macro F1 %.4f%n", r.samples(), r.top1(),
                r.top5(), r.loss(), r.macroF1());
        List<String> names = d.classNames();
        System.out.printf("%n%-14s %9s %9s %9s%n", "class", "precision", "recall", "F1");
        for (int c = 0; c < r.f1().length; c++) {
            System.out.printf("%-14s %9.3f %9.3f %9.3f%n", c < names.size() ? names.get(c) : "" + c, r.precision()[c],
                    r.recall()[c], r.f1()[c]);
        }
        System.out.println("\nconfusion matrix (rows: true, columns: predicted)");
        for (long[] row : r.confusion()) {
            StringBuilder b = new StringBuilder();
            for (long v : row) {
                b.append(String.format("%6d", v));
            }
            System.out.println(b);
        }
        return 0;
    }
}
