package dev.fineturn.cli;

import dev.fineturn.models.arch.Architectures;
import dev.fineturn.spi.Backend;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How every command names its model, with the same meaning everywhere:
 * <ul>
 *   <li>{@code --model FILE|FOLDER|ARCH}: a TF.js {@code model.json}, a Keras {@code .h5}, an
 *   {@code .onnx} file, a fineturn model folder, {@code bundled:mobilenet_v2}, or an architecture
 *   name; with {@code --arch}, a weights file;</li>
 *   <li>{@code --arch NAME}: the built-in architecture that {@code --weights} (or a weights file
 *   given as {@code --model}) belongs to;</li>
 *   <li>{@code --weights FILE}: pretrained weights (.pth, .safetensors, .npz), matched by name, type
 *   and shape;</li>
 *   <li>{@code --num-classes N}: the architecture's head size; by default the weights' classifier
 *   says it, else 1000.</li>
 * </ul>
 */
final class ModelOption {
    @Option(names = "--model", paramLabel = "FILE|ARCH", description = "A model: TF.js model.json, Keras .h5, "
            + ".onnx, a fineturn model folder, bundled:mobilenet_v2, or an architecture name (resnet18, ...); with "
            + "--arch, a weights file.")
    String model;

    @Option(names = "--arch", paramLabel = "NAME",
            description = "The built-in architecture the weights belong to (resnet18, mobilenet_v2, ...).")
    String arch;

    @Option(names = "--weights", paramLabel = "FILE",
            description = "Pretrained weights (.pth, .safetensors, .npz) for the architecture.")
    Path weights;

    @Option(names = "--num-classes", paramLabel = "N",
            description = "Classes of the architecture's head. Default: what the weights' classifier has, else 1000.")
    Integer numClasses;

    /** What the user named, for messages and records. */
    String name() {
        return arch != null ? arch + (weightsFile() != null ? " (" + weightsFile().getFileName() + ")" : "") : model;
    }

    /** The model spec that {@link ModelFiles} opens. */
    String spec() {
        if (arch != null) {
            if (!Architectures.names().contains(arch.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("--arch " + arch + ": unknown architecture; known: "
                        + String.join(", ", Architectures.names()));
            }
            if (model != null && weights != null) {
                throw new IllegalArgumentException("--arch " + arch + " takes its weights from --weights or --model, "
                        + "not both");
            }
            return arch.toLowerCase(Locale.ROOT);
        }
        if (model == null) {
            throw new IllegalArgumentException("give --model FILE|ARCH, or --arch NAME with --weights FILE");
        }
        return model;
    }

    /** The weights file: --weights, or --model when --arch names the architecture. */
    Path weightsFile() {
        return weights != null ? weights : arch != null && model != null ? Path.of(model) : null;
    }

    ModelFiles.Loaded open(Backend backend, boolean quiet, boolean verbose) throws IOException {
        String spec = spec();
        if (numClasses != null && numClasses < 2) {
            throw new IllegalArgumentException("--num-classes " + numClasses + ": need at least 2");
        }
        return ModelFiles.open(spec, weightsFile(), backend, quiet, verbose, numClasses == null ? 0 : numClasses);
    }
}
