package dev.fineturn.cli;

import dev.fineturn.io.NamedTensor;
import dev.fineturn.models.format.WeightFiles;
import dev.fineturn.models.format.WeightFormat;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.numpy.NpyReader;
import dev.fineturn.nn.Layer;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.tensor.Shape;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code fineturn inspect FILE}: format, tensors with shapes, parameter count, and the layer graph. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show a weight file's format, tensors and, where it has one, its layer graph.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "A weights or model file, or a "
            + "model folder (or give it as --model).")
    Path file;

    @picocli.CommandLine.Mixin
    ModelOption modelOption;

    @Override
    public Integer call() throws Exception {
        if (file == null) {
            String spec = modelOption.spec();
            boolean architecture = dev.fineturn.models.arch.Architectures.names().contains(
                    spec.toLowerCase(java.util.Locale.ROOT));
            if (!architecture) {
                file = Path.of(spec);
            } else {
                ModelFiles.Loaded m = modelOption.open(ReferenceBackend.get(), false, false);
                System.out.println("format: " + m.format() + (modelOption.weightsFile() != null
                        ? " with weights from " + modelOption.weightsFile() : " (freshly initialised)"));
                printModule(m.model());
                return 0;
            }
        } else if (modelOption.model != null || modelOption.arch != null) {
            throw new IllegalArgumentException("inspect: give the file once, as FILE or as --model");
        }
        if (Files.isDirectory(file) && Files.exists(file.resolve(ModelFiles.ARCHITECTURE))) {
            System.out.println("format: fineturn model folder");
            System.out.println(Files.readString(file.resolve(ModelFiles.ARCHITECTURE)).strip());
            file = file.resolve(ModelFiles.WEIGHTS);
        }
        Path target = Files.isDirectory(file) && Files.exists(file.resolve("model.json")) ? file.resolve("model.json")
                : file;
        WeightFormat format = WeightFormat.detect(target);
        System.out.println("format: " + format.description());
        switch (format) {
            case TFJS, ONNX, KERAS_H5 -> {
                ModelFiles.Loaded m = ModelFiles.open(target.toString(), ReferenceBackend.get());
                printModule(m.model());
                if (m.model() instanceof GraphModel g) {
                    System.out.println("\nlayer graph (" + g.nodes().size() + " nodes, input " + g.inputName() + ", "
                            + g.sourceLayout() + "; head " + g.headPath() + ", output " + g.outputActivation() + "):");
                    for (GraphModel.Node n : g.nodes()) {
                        System.out.printf("  %-28s %-52s <- %s%n", n.name(), g.children().get(n.name()),
                                String.join(", ", n.inputs()));
                    }
                }
            }
            case NPY -> printTensors(List.of(NpyReader.read(target)));
            default -> printTensors(WeightFiles.readStateDict(target));
        }
        return 0;
    }

    private static void printTensors(List<NamedTensor> tensors) {
        long total = 0;
        for (NamedTensor t : tensors) {
            System.out.printf("  %-48s %-20s float32%n", t.name(), Shape.str(t.shape()));
            total += t.data().length;
        }
        System.out.printf("%d tensors, %,d values%n", tensors.size(), total);
    }

    private static void printModule(Layer m) {
        long params = m.parameterCount();
        long buffers = 0;
        for (Map.Entry<String, dev.fineturn.tensor.Tensor> e : m.namedBuffers().entrySet()) {
            buffers += e.getValue().numel();
        }
        System.out.printf("parameters: %,d (buffers %,d)%n", params, buffers);
        m.stateDict().forEach((k, v) -> System.out.printf("  %-48s %s%n", k, Shape.str(v.shape())));
    }
}
