package dev.fineturn.bench;

import dev.fineturn.models.arch.MobileNetV2;
import dev.fineturn.models.arch.ResNet;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Init;
import dev.fineturn.spi.Backend;

/**
 * The networks the inference benchmarks time, as the peers build them: torchvision's ResNet-18 and MobileNetV2
 * with 10 classes, random weights from a fixed seed, no preprocessing (the input is fed as it is), eval mode.
 */
final class InferenceModels {
    static final String NAMES = "resnet18, mobilenet_v2";

    private InferenceModels() {
    }

    static Classifier create(String name, Backend backend) {
        Init.useBackend(backend);
        Init.seed(1);
        Classifier net = switch (name) {
            case "resnet18" -> ResNet.resnet18(10);
            case "mobilenet_v2" -> MobileNetV2.mobilenetV2(10);
            default -> throw new IllegalArgumentException("unknown model '" + name + "'; known: " + NAMES);
        };
        net.to(backend);
        net.eval();
        return net;
    }
}
