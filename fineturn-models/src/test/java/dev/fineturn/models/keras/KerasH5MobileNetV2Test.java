package dev.fineturn.models.keras;

import dev.fineturn.data.Layouts;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.graph.OutputActivation;
import dev.fineturn.nn.Init;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The bundled real MobileNetV2, re-packed from its TF.js files into a Keras .h5 (gzip-compressed
 * datasets) by make_keras_h5_fixture.py, imports to the same model as the TF.js importer gives.
 */
class KerasH5MobileNetV2Test {
    @Test
    void sameWeightsAndLogitsAsTheTfjsImport() throws IOException {
        Init.useBackend(ReferenceBackend.get());
        GraphModel h5 = KerasH5Model.load(KerasH5Fixtures.path("mobilenet_v2.h5"));
        GraphModel tfjs = TfjsLayersModel.loadResource(TfjsLayersModel.class,
                "/dev/fineturn/models/pretrained/mobilenet_v2/model.json");
        h5.eval();
        tfjs.eval();
        assertEquals("dense_3", h5.headPath());
        assertEquals(OutputActivation.SOFTMAX, h5.outputActivation());
        assertEquals(tfjs.stateDict().keySet(), h5.stateDict().keySet());
        tfjs.stateDict().forEach((k, v) -> assertArrayEquals(v.toArray(), h5.stateDict().get(k).toArray(), k));

        TestNpy.Array in = TestNpy.read("/fixtures/mobilenet_v2/x.npy");
        Tensor x = Tensor.of(ReferenceBackend.get(), Layouts.nhwcToNchw(in.data(), 1, 3, 224, 224), 1, 3, 224, 224);
        try (var g = GradMode.noGrad()) {
            float[] expected = tfjs.forward(x).toArray();
            float[] actual = h5.forward(x).toArray();
            System.out.println("MobileNetV2 logits, TF.js import " + Arrays.toString(expected) + ", h5 import "
                    + Arrays.toString(actual));
            assertArrayEquals(expected, actual);
        }
    }
}
