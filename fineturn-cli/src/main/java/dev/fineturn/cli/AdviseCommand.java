package dev.fineturn.cli;

import dev.fineturn.data.Dataset;
import dev.fineturn.models.advise.Advice;
import dev.fineturn.models.advise.Advisor;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.spi.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code fineturn advise}: measures data size (samples per class) and similarity to the
 * pretraining domain (linear probes on frozen features at several depths against raw pixels),
 * then recommends a strategy, learning rate and schedule, and says why.
 */
@Command(name = "advise", mixinStandardHelpOptions = true,
        description = "Recommend a transfer strategy by measuring data size and domain similarity.")
final class AdviseCommand implements Callable<Integer> {
    @Mixin
    BackendOption common;

    @Option(names = "--model", required = true)
    String model;

    @Option(names = "--data", required = true)
    String data;

    @Option(names = "--layers", split = ",", description = "Layers to probe (default: three spread over the depth).")
    List<String> layers;

    @Option(names = "--size", defaultValue = "64")
    int size;

    @Override
    public Integer call() throws Exception {
        Backend backend = common.select();
        ModelFiles.Loaded m = ModelFiles.open(model, backend);
        if (!(m.model() instanceof GraphModel g)) {
            throw new IllegalArgumentException("advise needs an imported graph model (TF.js/Keras/ONNX) to probe "
                    + "its layers");
        }
        Dataset d = DataSources.open(data, g.inputChannels(), size);
        List<String> probes = layers;
        if (probes == null) {
            List<String> nodes = new ArrayList<>(g.children().keySet());
            probes = List.of(nodes.get(nodes.size() / 3), nodes.get(2 * nodes.size() / 3), nodes.get(nodes.size() - 2));
        }
        Advice a = Advisor.advise(g, d, probes, size, 0);
        System.out.println("recommendation: " + a.summary());
        return 0;
    }
}
