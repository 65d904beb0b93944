package dev.fineturn.models.pretrained;

import dev.fineturn.io.NamedTensor;
import dev.fineturn.models.arch.Architectures;
import dev.fineturn.models.format.WeightFiles;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.keras.TfjsLayersModel;
import dev.fineturn.models.match.LoadReport;
import dev.fineturn.models.match.WeightMatchException;
import dev.fineturn.models.match.WeightMatcher;
import dev.fineturn.nn.Classifier;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The common ways to get a pretrained network, in one call each:
 * <pre>{@code
 * Classifier net = Pretrained.load("resnet18", Path.of("resnet18.pth"), 10);   // new 10-class head
 * GraphModel mobilenet = Pretrained.mobilenetV2();                             // bundled, ImageNet
 * }</pre>
 * Networks are built on {@code Init.backend()}.
 */
public final class Pretrained {
    static final String MOBILENET_V2 = "/dev/fineturn/models/pretrained/mobilenet_v2/model.json";

    private Pretrained() {
    }

    /**
     * The MobileNetV2 bundled with fineturn (width 1.0, 224 x 224): Keras' ImageNet backbone, frozen
     * up to {@code block_10_project_BN}, that its publisher fine-tuned for 5 classes of its own (see
     * {@code PROVENANCE.md} beside it). {@link GraphModel#truncate Truncate} it for a new task;
     * {@code block_13_expand_relu} and below transfer best. It expects inputs in [0, 1], as its
     * publisher trained it, so its preprocessing is {@code none}.
     */
    public static GraphModel mobilenetV2() throws IOException {
        return TfjsLayersModel.loadResource(Pretrained.class, MOBILENET_V2);
    }

    /**
     * A built-in architecture ({@link Architectures#names()}) with pretrained weights from
     * {@code weights} (.pth, .safetensors, .npz, matched by name, type and shape), and a new,
     * freshly initialised head for {@code numClasses} classes unless the weights' classifier
     * already has that many outputs.
     *
     * @throws WeightMatchException when under half of the network's weights find a match
     */
    public static Classifier load(String architecture, Path weights, int numClasses) throws IOException {
        return loadReporting(architecture, weights, numClasses).model();
    }

    /** As {@link #load}, with the report of which weights matched. */
    public static Loaded loadReporting(String architecture, Path weights, int numClasses) throws IOException {
        if (numClasses < 2) {
            throw new IllegalArgumentException("Pretrained.load: need at least 2 classes, got " + numClasses);
        }
        List<NamedTensor> state = WeightFiles.readStateDict(weights);
        int sourceClasses = classifierOutputs(state);
        Classifier net = Architectures.create(architecture, sourceClasses >= 2 ? sourceClasses : numClasses);
        LoadReport report = WeightMatcher.defaults().strict(0.5).load(net, state);
        if (net.numClasses() != numClasses) {
            net.replaceHead(numClasses);
        }
        return new Loaded(net, report);
    }

    /** A network and how its weights were matched. */
    public record Loaded(Classifier model, LoadReport report) {
    }

    /** The output count of the last matrix in a state dict: the classifier's, in torchvision order. */
    static int classifierOutputs(List<NamedTensor> state) {
        for (int i = state.size() - 1; i >= 0; i--) {
            NamedTensor t = state.get(i);
            if (t.name().endsWith("weight") && t.shape().length == 2) {
                return t.shape()[0];
            }
        }
        return 0;
    }
}
