package dev.fineturn.models.onnx;

import dev.fineturn.data.Preprocessing;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.keras.KerasPreprocessing;
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

    @Test
    void theInputConventionTravelsThroughTheFile() throws Exception {
        Init.useBackend(ReferenceBackend.get());
        Init.seed(4);
        GraphModel full = TfjsLayersModel.loadResource(TfjsLayersModel.class,
                "/dev/fineturn/models/pretrained/mobilenet_v2/model.json");
        assertEquals(Preprocessing.NONE, full.preprocessing(), "the bundled model's publisher feeds [0, 1]");
        GraphModel cut = full.truncate("block_3_expand_relu", 3, 32);
        cut.setPreprocessing(Preprocessing.CAFFE);
        cut.eval();
        Path file = dir.resolve("caffe.onnx");
        OnnxExport.write(cut, 32, 32, file);
        GraphModel back = OnnxModel.load(file);
        back.eval();
        assertEquals(Preprocessing.CAFFE, back.preprocessing());
        Tensor x = Tensor.uniform(ReferenceBackend.get(), 5, 0f, 1f, 1, 3, 32, 32);
        try (var g = GradMode.noGrad()) {
            assertArrayEquals(cut.forward(x).toArray(), back.forward(x).toArray(), 1e-4f);
        }
    }

    @Test
    void anMlpHeadExportsAsTwoGemmsAroundARelu() throws Exception {
        Init.useBackend(ReferenceBackend.get());
        Init.seed(6);
        GraphModel full = TfjsLayersModel.loadResource(TfjsLayersModel.class,
                "/dev/fineturn/models/pretrained/mobilenet_v2/model.json");
        GraphModel cut = full.truncate("block_3_expand_relu", 3, 32);
        cut.replaceHeadWithMlp(3, 12, dev.fineturn.nn.Init.Scheme.HE);
        cut.eval();
        Path file = dir.resolve("mlp.onnx");
        OnnxExport.write(cut, 32, 32, file);
        GraphModel back = OnnxModel.load(file);
        back.eval();
        Tensor x = Tensor.uniform(ReferenceBackend.get(), 7, 0f, 1f, 2, 3, 32, 32);
        try (var g = GradMode.noGrad()) {
            assertArrayEquals(cut.forward(x).toArray(), back.forward(x).toArray(), 1e-4f);
        }
    }

    @Test
    void anOperatorWhoseSignatureChangedSinceTheFilesOpsetIsNamed() throws Exception {
        Init.useBackend(ReferenceBackend.get());
        var graph = TestModels.classifier().setNode(2, TestModels.node("Squeeze", "squeeze", java.util.List.of("g"),
                "f", TestModels.ints("axes", 2, 3)));
        var proto = dev.fineturn.models.onnx.proto.Onnx.ModelProto.newBuilder().setIrVersion(6)
                .addOpsetImport(dev.fineturn.models.onnx.proto.Onnx.OperatorSetIdProto.newBuilder().setVersion(11))
                .setGraph(graph).build();
        Path file = dir.resolve("squeeze11.onnx");
        java.nio.file.Files.write(file, proto.toByteArray());
        GraphModel g = OnnxModel.load(file);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> OnnxExport.write(g, 3, 3, dir.resolve("out.onnx")));
        assertEquals("ONNX export: node 'squeeze' (Squeeze from opset 11) has another signature at opset 13",
                e.getMessage());
        org.junit.jupiter.api.Assertions.assertFalse(java.nio.file.Files.exists(dir.resolve("out.onnx")));
    }

    @Test
    void anNhwcExportImportsBackAsAnNhwcModel() throws Exception {
        Init.useBackend(ReferenceBackend.get());
        Init.seed(5);
        GraphModel cut = TfjsLayersModel.loadResource(TfjsLayersModel.class,
                "/dev/fineturn/models/pretrained/mobilenet_v2/model.json").truncate("block_2_add", 3, 32);
        Path file = dir.resolve("nhwc.onnx");
        OnnxExport.write(cut, 32, 32, file);
        GraphModel back = OnnxModel.load(file);
        assertEquals(GraphModel.Layout.NHWC, back.sourceLayout());
        assertEquals(3, back.inputChannels());
        cut.eval();
        back.eval();
        Tensor x = Tensor.uniform(ReferenceBackend.get(), 6, 0f, 1f, 2, 3, 32, 32);
        try (var g = GradMode.noGrad()) {
            assertArrayEquals(cut.forward(x).toArray(), back.forward(x).toArray(), 1e-5f);
        }
    }

    @Test
    void kerasApplicationsStateTheirFamilysConvention() {
        assertEquals(Preprocessing.TF, KerasPreprocessing.forModelName("mobilenetv2_1.00_224"));
        assertEquals(Preprocessing.TF, KerasPreprocessing.forModelName("inception_v3"));
        assertEquals(Preprocessing.TF, KerasPreprocessing.forModelName("resnet50v2"));
        assertEquals(Preprocessing.CAFFE, KerasPreprocessing.forModelName("resnet50"));
        assertEquals(Preprocessing.CAFFE, KerasPreprocessing.forModelName("vgg16"));
        assertEquals(Preprocessing.IMAGENET, KerasPreprocessing.forModelName("densenet121"));
        assertEquals(Preprocessing.NONE, KerasPreprocessing.forModelName("efficientnetb0"));
        assertEquals(Preprocessing.NONE, KerasPreprocessing.forModelName("model_1"));
    }
}
