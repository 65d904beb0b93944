package dev.fineturn.models.arch;

import dev.fineturn.data.Preprocessing;
import dev.fineturn.nn.Classifier;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/** The built-in architectures by torchvision name; "lenet" is LeNet-5 for 1 x 28 x 28 inputs. */
public final class Architectures {
    private static final Map<String, IntFunction<Classifier>> FACTORIES = new LinkedHashMap<>();

    static {
        FACTORIES.put("resnet18", ResNet::resnet18);
        FACTORIES.put("resnet34", ResNet::resnet34);
        FACTORIES.put("resnet50", ResNet::resnet50);
        FACTORIES.put("mobilenet_v2", MobileNetV2::mobilenetV2);
        FACTORIES.put("vgg11_bn", Vgg::vgg11Bn);
        FACTORIES.put("vgg16_bn", Vgg::vgg16Bn);
        FACTORIES.put("lenet", LeNet::mnist);
    }

    private Architectures() {
    }

    /**
     * A freshly initialised network on {@code Init.backend()}; names are case-insensitive. RGB
     * networks expect torchvision's ImageNet normalisation, as their pretrained weights do.
     */
    public static Classifier create(String name, int numClasses) {
        IntFunction<Classifier> factory = FACTORIES.get(name.trim().toLowerCase(Locale.ROOT));
        if (factory == null) {
            throw new IllegalArgumentException("unknown architecture '" + name + "'; known: "
                    + String.join(", ", FACTORIES.keySet()));
        }
        Classifier c = factory.apply(numClasses);
        c.setPreprocessing(c.inputChannels() == 3 ? Preprocessing.IMAGENET : Preprocessing.NONE);
        return c;
    }

    /**
     * The name {@link #create} knows {@code model} by, when it is one of these architectures with
     * the standard configuration (any head); null otherwise.
     */
    public static String nameOf(Classifier model) {
        return switch (model) {
            case ResNet r -> r.torchvisionName();
            case MobileNetV2 m -> m.torchvisionName();
            case Vgg v -> v.torchvisionName();
            case LeNet l -> l.torchvisionName();
            default -> null;
        };
    }

    public static List<String> names() {
        return List.copyOf(FACTORIES.keySet());
    }
}
