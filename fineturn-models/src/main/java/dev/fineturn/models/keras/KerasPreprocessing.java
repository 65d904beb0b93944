package dev.fineturn.models.keras;

import dev.fineturn.data.Preprocessing;

import java.util.Locale;

/**
 * The input convention of a Keras model, from the name Keras applications give their models
 * ({@code mobilenetv2_1.00_224}, {@code resnet50}, {@code vgg16}, ...), as each family's
 * {@code preprocess_input} does it. Families that preprocess inside the model (EfficientNet,
 * ConvNeXt, RegNet) and models of unknown family take pixels in [0, 1].
 */
public final class KerasPreprocessing {
    private KerasPreprocessing() {
    }

    public static Preprocessing forModelName(String modelName) {
        String n = modelName == null ? "" : modelName.toLowerCase(Locale.ROOT);
        if (n.startsWith("mobilenet") || n.startsWith("inception") || n.startsWith("xception")
                || n.startsWith("nasnet") || n.matches("resnet\\d+v2.*")) {
            return Preprocessing.TF;
        }
        if (n.matches("resnet\\d+") || n.startsWith("vgg")) {
            return Preprocessing.CAFFE;
        }
        if (n.startsWith("densenet")) {
            return Preprocessing.IMAGENET;
        }
        return Preprocessing.NONE;
    }
}
