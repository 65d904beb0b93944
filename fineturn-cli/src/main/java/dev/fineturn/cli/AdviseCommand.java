package dev.fineturn.cli;

import dev.fineturn.data.Dataset;
import dev.fineturn.models.advise.Advice;
import dev.fineturn.models.advise.Advisor;
import dev.fineturn.nn.Classifier;
import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code fineturn advise}: measures data size (samples per class) and similarity to the
 * pretraining domain (linear probes on frozen features at several depths against raw pixels),
 * then recommends a strategy, learning rate and schedule, and says why. Given several models it
 * ranks them as backbones for the data: by the best probe accuracy, then by cost (parameters and
 * milliseconds per image).
 */
@Command(name = "advise", mixinStandardHelpOptions = true,
        description = "Recommend a transfer strategy by measuring data size and domain similarity; "
                + "with several --model, rank them as backbones for the data.")
final class AdviseCommand implements Callable<Integer> {
    @Mixin
    BackendOption common;

    @Mixin
    PreprocessOption preprocessing;

    @Option(names = "--model", required = true, paramLabel = "FILE|ARCH",
            description = "A model (repeat to compare several backbones).")
    List<String> models;

    @Option(names = "--weights", paramLabel = "FILE",
            description = "Weights for architecture models, one per --model in order (repeat).")
    List<Path> weights;

    @Option(names = "--data", required = true)
    String data;

    @Option(names = "--layers", split = ",", description = "Layers to probe (default: three spread over the depth "
            + "of an imported graph; the final features of other models).")
    List<String> layers;

    @Option(names = "--size", defaultValue = "64")
    int size;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    /** One candidate backbone's measurements. */
    record Candidate(String model, Advice advice, double bestProbe, long parameters, double msPerImage) {
    }

    @Override
    public Integer call() throws Exception {
        Backend backend = common.select();
        if (weights != null && weights.size() > models.size()) {
            throw new IllegalArgumentException("advise: " + weights.size() + " --weights for " + models.size()
                    + " --model; give at most one per model, in order");
        }
        List<Candidate> candidates = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            Path w = weights != null && i < weights.size() ? weights.get(i) : null;
            ModelFiles.Loaded m = preprocessing.apply(ModelFiles.open(models.get(i), w, backend, true));
            Classifier net = m.model();
            Dataset d = DataSources.open(data, net.inputChannels(), size);
            List<String> probes = layers != null ? layers : Advisor.defaultProbes(net);
            Advice a = Advisor.advise(net, d, probes, size, seed);
            double best = a.probeAccuracy().entrySet().stream().filter(e -> !e.getKey().equals("pixels"))
                    .mapToDouble(e -> e.getValue()).max().orElse(Double.NaN);
            candidates.add(new Candidate(models.get(i), a, best, net.parameterCount(),
                    msPerImage(net, backend)));
            if (models.size() == 1) {
                System.out.println("recommendation: " + a.summary());
            }
        }
        if (models.size() > 1) {
            candidates.sort(Comparator.comparingDouble((Candidate c) -> -c.bestProbe())
                    .thenComparingDouble(Candidate::msPerImage));
            System.out.printf("%-4s %-36s %11s %13s %10s  %s%n", "rank", "model", "best probe", "parameters",
                    "ms/image", "recommendation");
            int rank = 1;
            for (Candidate c : candidates) {
                System.out.printf("%-4d %-36s %11.3f %,13d %10.2f  %s from %s%n", rank++, c.model(), c.bestProbe(),
                        c.parameters(), c.msPerImage(), c.advice().strategy(), c.advice().cutNode());
            }
            System.out.println("best backbone: " + candidates.get(0).model() + "\n"
                    + candidates.get(0).advice().summary());
        }
        return 0;
    }

    /** Inference time per image of a batch of 16 at the advised size, after one warm-up batch. */
    private double msPerImage(Classifier net, Backend backend) {
        boolean training = net.isTraining();
        net.eval();
        try (var g = GradMode.noGrad()) {
            Tensor x = Tensor.zeros(backend, 16, net.inputChannels(), size, size);
            net.forward(x).toArray();
            long t0 = System.nanoTime();
            int reps = 2;
            for (int r = 0; r < reps; r++) {
                net.forward(x).toArray();
            }
            return (System.nanoTime() - t0) / 1e6 / (reps * 16);
        } finally {
            net.train(training);
        }
    }
}
