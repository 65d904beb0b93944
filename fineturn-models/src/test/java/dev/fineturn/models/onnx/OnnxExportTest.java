package dev.fineturn.models.onnx;

import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.keras.TfjsLayersModel;
import dev.fineturn.nn.Init;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A fine-tuned graph (the real MobileNetV2 cut, with a new head) survives an ONNX round trip. */
class OnnxExportTest {
    @TempDir
    Path dir;

    @Test
    void exportedModelReloadsWithTheSameLogits() throws Exception {
        Init.useBackend(ReferenceBackend.get());
        Init.seed(4);
        GraphModel full = TfjsLayersModel.loadResource(TfjsLayersModel.class,
                "/dev/fineturn/models/pretrained/mobilenet_v2/model.json");
        GraphModel cut = full.truncate("block_6_expand_relu", 4, 32);
        cut.eval();
        Path file = dir.resolve("model.onnx");
        OnnxExport.write(cut, 32, 32, file);
        GraphModel back = OnnxModel.load(file);
        back.eval();
        assertEquals(4, back.numClasses());
        Tensor x = Tensor.uniform(ReferenceBackend.get(), 9, 0f, 1f, 2, 3, 32, 32);
        try (var g = GradMode.noGrad()) {
            float[] expected = cut.forward(x).toArray();
            float[] actual = back.forward(x).toArray();
            assertArrayEquals(expected, actual, 1e-5f);
        }
    }
}
