package dev.fineturn.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fineturn.backend.Backends;
import dev.fineturn.cli.ModelFiles;
import dev.fineturn.nn.Classifier;

import java.io.IOException;

/** The bundled pretrained MobileNetV2 cut early, small enough for tests on two cores. */
final class TestModels {
    static final String CUT = "block_2_add";
    static final int SIZE = 32;

    private TestModels() {
    }

    record Cut(Classifier model, ObjectNode recipe) {
    }

    static Cut mobilenetCut(int classes) throws IOException {
        ModelFiles.Loaded l = ModelFiles.open("bundled:mobilenet_v2", Backends.get("cpu"));
        ObjectNode recipe = l.recipe();
        Classifier cut = ModelFiles.cut(l.model(), CUT, classes, SIZE, recipe);
        cut.to(Backends.get("cpu"));
        recipe.put("numClasses", classes).put("newHead", true).put("inputSize", SIZE);
        return new Cut(cut, recipe);
    }
}
