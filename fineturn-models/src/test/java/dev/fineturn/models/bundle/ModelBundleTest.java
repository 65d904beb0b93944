package dev.fineturn.models.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fineturn.data.Preprocessing;
import dev.fineturn.models.arch.Architectures;
import dev.fineturn.models.arch.ResNet;
import dev.fineturn.models.graph.GraphModel;
import dev.fineturn.models.graph.OutputActivation;
import dev.fineturn.models.keras.TfjsLayersModel;
import dev.fineturn.models.onnx.OnnxModel;
import dev.fineturn.models.onnx.proto.Onnx;
import dev.fineturn.nn.Classifier;
import dev.fineturn.nn.Init;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ModelBundle} folders round-trip every kind of model, record what is needed to feed it,
 * and keep working after the file the model was imported from is moved away.
 */
class ModelBundleTest {
    private static final Path ONNX_FIXTURE = Path.of("src/test/resources/fixtures/onnx/tiny_cnn_opset13");
    private static final Path BUNDLED_TFJS = Path.of("src/main/resources/dev/fineturn/models/pretrained/mobilenet_v2");

    @TempDir
    Path dir;

    @BeforeAll
    static void backend() {
        Init.useBackend(ReferenceBackend.get());
    }

    @Test
    void anArchitectureWithAnMlpHeadRoundTrips() throws Exception {
        Init.seed(21);
        Classifier lenet = Architectures.create("lenet", 1000);
        lenet.replaceHeadWithMlp(3, 8, Init.Scheme.HE);
        lenet.setPreprocessing(Preprocessing.parse("mean=0.3,std=0.2"));
        Path folder = dir.resolve("lenet");
        ModelBundle.Saved saved = ModelBundle.save(lenet, folder, List.of("cat", "dog", "owl"), 28, Map.of());
        assertNotNull(saved.onnx(), saved.onnxStatus());
        ModelBundle back = ModelBundle.load(folder);
        assertEquals(List.of("cat", "dog", "owl"), back.classNames());
        assertEquals(28, back.inputSize());
        assertEquals("lenet", back.architecture());
        assertEquals(GraphModel.Layout.NCHW, back.layout());
        assertEquals(Preprocessing.parse("mean=0.3,std=0.2"), back.model().preprocessing());
        assertSameLogits(lenet, back.model(), 1, 28);
    }

    @Test
    void anImportedOnnxGraphWithExternalDataWorksAfterItsSourceIsDeleted() throws Exception {
        Init.seed(22);
        Path src = dir.resolve("elsewhere");
        Files.createDirectories(src);
        for (String f : new String[]{"model.onnx", "weights.bin"}) {
            Files.copy(ONNX_FIXTURE.resolve(f), src.resolve(f));
        }
        GraphModel g = OnnxModel.load(src.resolve("model.onnx"));
        int side = (int) OnnxModel.open(src.resolve("model.onnx")).inputShape(g.inputName())[2];
        g.replaceHead(2);
        Path folder = dir.resolve("bundle");
        ModelBundle.save(g, folder, List.of("no", "yes"), side, Map.of());
        deleteTree(src);

        String json = Files.readString(folder.resolve(ModelBundle.ARCHITECTURE));
        assertFalse(json.contains(dir.toAbsolutePath().toString()), "no absolute path in " + json);
        JsonNode r = new ObjectMapper().readTree(json);
        assertEquals("onnx:source/model.onnx", r.get("base").asText());
        assertTrue(Files.exists(folder.resolve("source/weights.bin")), "the external data is copied too");
        ModelBundle back = ModelBundle.load(folder);
        assertEquals(OutputActivation.NONE, back.outputActivation());
        assertSameLogits(g, back.model(), g.inputChannels(), side);

        // The folder itself can move.
        Path moved = dir.resolve("moved");
        Files.move(folder, moved);
        assertSameLogits(g, ModelBundle.load(moved).model(), g.inputChannels(), side);
    }

    @Test
    void aCutTfjsGraphRecordsItsNhwcLayoutAndExportsIt() throws Exception {
        Init.seed(23);
        Path src = dir.resolve("tfjs");
        Files.createDirectories(src);
        try (Stream<Path> files = Files.list(BUNDLED_TFJS)) {
            for (Path f : files.toList()) {
                Files.copy(f, src.resolve(f.getFileName()));
            }
        }
        GraphModel cut = TfjsLayersModel.load(src.resolve("model.json")).truncate("block_2_add", 3, 32);
        Path folder = dir.resolve("cut");
        ModelBundle.save(cut, folder, List.of("a", "b", "c"), 32, Map.of());
        deleteTree(src);
        ModelBundle back = ModelBundle.load(folder);
        assertEquals(GraphModel.Layout.NHWC, back.layout());
        assertEquals("graph", back.architecture());
        assertSameLogits(cut, back.model(), 3, 32);
        JsonNode r = new ObjectMapper().readTree(folder.resolve(ModelBundle.ARCHITECTURE).toFile());
        assertEquals("NHWC", r.get("inputLayout").asText());
        assertEquals("block_2_add", r.get("cut").asText());
        Onnx.ModelProto onnx = Onnx.ModelProto.parseFrom(Files.readAllBytes(folder.resolve(ModelBundle.ONNX)));
        List<Long> dims = onnx.getGraph().getInput(0).getType().getTensorType().getShape().getDimList().stream()
                .skip(1).map(Onnx.TensorShapeProto.Dimension::getDimValue).toList();
        assertEquals(List.of(32L, 32L, 3L), dims, "the exported graph takes NHWC input, as the folder records");
    }

    @Test
    void theBundledModelIsNamedNotCopied() throws Exception {
        Init.seed(24);
        GraphModel full = TfjsLayersModel.loadResource(TfjsLayersModel.class,
                "/dev/fineturn/models/pretrained/mobilenet_v2/model.json");
        GraphModel cut = full.truncate("block_1_project_BN", 2, 32);
        Path folder = dir.resolve("bundled");
        ModelBundle.save(cut, folder);
        assertFalse(Files.exists(folder.resolve("source")));
        JsonNode r = new ObjectMapper().readTree(folder.resolve(ModelBundle.ARCHITECTURE).toFile());
        assertEquals(ModelBundle.BUNDLED_MOBILENET, r.get("base").asText());
        assertEquals(List.of("0", "1"), ModelBundle.load(folder).classNames());
        assertSameLogits(cut, ModelBundle.load(folder).model(), 3, 32);
    }

    @Test
    void rebuildMakesTheSameNetworkAgain() throws Exception {
        Init.seed(26);
        GraphModel cut = TfjsLayersModel.loadResource(TfjsLayersModel.class,
                "/dev/fineturn/models/pretrained/mobilenet_v2/model.json").truncate("block_1_project_BN", 4, 32);
        cut.replaceHeadWithMlp(4, 6, Init.Scheme.HE);
        Classifier lenet = Architectures.create("lenet", 5);
        for (Classifier original : List.of(cut, lenet)) {
            Classifier copy = ModelBundle.rebuild(original, ReferenceBackend.get());
            assertEquals(original.getClass(), copy.getClass());
            Map<String, Tensor> state = original.stateDict();
            assertEquals(state.keySet(), copy.stateDict().keySet());
            copy.loadStateDict(state, true);
            assertSameLogits(original, copy, original.inputChannels(), original == lenet ? 28 : 32);
        }
    }

    @Test
    void aNetworkWithoutARecipeIsRefusedByName() {
        Init.seed(25);
        Classifier narrow = new ResNet(ResNet.Block.BASIC, new int[]{1, 1, 1, 1}, 8, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelBundle.save(narrow, dir.resolve("x")));
        assertTrue(e.getMessage().contains("cannot record how to rebuild this ResNet"), e.getMessage());
    }

    static void assertSameLogits(Classifier expected, Classifier actual, int channels, int side) {
        expected.eval();
        actual.eval();
        Tensor x = Tensor.uniform(ReferenceBackend.get(), 5, 0f, 1f, 2, channels, side, side);
        try (var g = GradMode.noGrad()) {
            assertArrayEquals(expected.forward(x).toArray(), actual.forward(x).toArray(), 1e-6f);
        }
    }

    private static void deleteTree(Path root) throws Exception {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
