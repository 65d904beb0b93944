package dev.fineturn.bench;

import dev.fineturn.models.arch.ResNet;
import dev.fineturn.nn.Layer;
import dev.fineturn.nn.Sequential;
import dev.fineturn.tensor.Tensor;

import java.util.List;

/**
 * A layer that runs another and then reads the live heap while both the input and the output are held, the
 * moment a layer's memory peaks in a forward pass without a graph.
 */
final class ProbedLayer extends Layer {
    private final String name;
    private final Layer inner;
    private final HeapProbe probe;

    private ProbedLayer(String name, Layer inner, HeapProbe probe) {
        this.name = name;
        this.inner = inner;
        this.probe = probe;
        registerModule("inner", inner);
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor output = inner.forward(input);
        probe.at(name, input, output);
        return output;
    }

    /**
     * Puts a probe after ResNet's max pool (whose input is the stem's output, the largest map), after each
     * residual block, and after the average pool. Call it once the model is set up: parameter names change.
     */
    static void wrap(ResNet model, HeapProbe probe) {
        for (String name : List.of("maxpool", "avgpool")) {
            model.replaceChild(name, new ProbedLayer(name, model.children().get(name), probe));
        }
        for (String stage : List.of("layer1", "layer2", "layer3", "layer4")) {
            Sequential blocks = (Sequential) model.children().get(stage);
            for (String k : List.copyOf(blocks.children().keySet())) {
                blocks.replaceChild(k, new ProbedLayer(stage + "." + k, blocks.children().get(k), probe));
            }
        }
    }
}
