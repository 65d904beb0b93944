package dev.fineturn.cli;

import dev.fineturn.data.Preprocessing;
import picocli.CommandLine.Option;

/** {@code --preprocess}: overrides the input convention a model states (or its folder recorded). */
final class PreprocessOption {
    @Option(names = "--preprocess", paramLabel = "imagenet|tf|caffe|none|mean=..,std=..",
            description = "How [0,1] pixels are normalised for the network. Default: what the model's source "
                    + "states (torchvision: imagenet; Keras applications: tf or caffe by family; ONNX: its metadata; "
                    + "a fineturn model folder: what it recorded).")
    String preprocess;

    /** Sets the override, if any, on the model and records what is in effect in its recipe. */
    ModelFiles.Loaded apply(ModelFiles.Loaded loaded) {
        if (preprocess != null) {
            loaded.model().setPreprocessing(Preprocessing.parse(preprocess));
        }
        loaded.recipe().put("preprocess", loaded.model().preprocessing().spec());
        return loaded;
    }
}
