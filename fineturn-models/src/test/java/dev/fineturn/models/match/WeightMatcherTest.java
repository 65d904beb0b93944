package dev.fineturn.models.match;

import dev.fineturn.io.NamedTensor;
import dev.fineturn.models.pytorch.TorchStateDictReader;
import dev.fineturn.models.testing.Fixtures;
import dev.fineturn.models.testing.TinyNet;
import dev.fineturn.nn.Conv2d;
import dev.fineturn.nn.Linear;
import dev.fineturn.nn.Layer;
import dev.fineturn.nn.Sequential;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WeightMatcherTest {
    private static List<NamedTensor> tinyWeights() throws IOException {
        return TorchStateDictReader.read(Fixtures.file("tiny.pth"));
    }

    private static List<NamedTensor> renamed(List<NamedTensor> source, List<String> names) {
        List<NamedTensor> out = new ArrayList<>();
        for (int i = 0; i < source.size(); i++) {
            out.add(new NamedTensor(names.get(i), source.get(i).shape(), source.get(i).data()));
        }
        return out;
    }

    /** The model holds each expected tensor under the same (PyTorch) name. */
    private static void assertModelHolds(Layer model, List<NamedTensor> expected) {
        Map<String, Tensor> state = model.stateDict();
        for (NamedTensor t : expected) {
            assertArrayEquals(t.data(), state.get(t.name()).toArray(), t.name());
        }
    }

    @Test
    void exactNamesLoadEverythingAndCopyTheValues() throws IOException {
        Layer model = TinyNet.create();
        LoadReport r = WeightMatcher.defaults().strict().load(model, tinyWeights());
        assertTrue(r.isComplete(), r.toString());
        assertEquals(8, r.loaded().size());
        assertEquals(7, r.weightCount(), "num_batches_tracked is not a weight");
        assertEquals(1.0, r.fractionLoaded());
        assertTrue(r.loaded().stream().allMatch(l -> l.how() == LoadReport.How.EXACT));
        assertModelHolds(model, tinyWeights());
    }

    @Test
    void dataParallelPrefixesAreStripped() throws IOException {
        List<NamedTensor> src = tinyWeights();
        List<NamedTensor> prefixed = renamed(src, src.stream().map(t -> "module.model." + t.name()).toList());
        Layer model = TinyNet.create();
        LoadReport r = WeightMatcher.defaults().load(model, prefixed);
        assertEquals(8, r.loaded().size());
        assertEquals(LoadReport.How.RENAMED, r.loaded().getFirst().how());
        assertEquals("module.model.0.weight", r.loaded().getFirst().source());
        assertModelHolds(model, src);
        LoadReport withoutStripping = WeightMatcher.defaults().stripPrefixes().matchByShapeOrder(false)
                .match(TinyNet.create(), prefixed);
        assertEquals(0, withoutStripping.loaded().size());
        assertEquals(8, withoutStripping.unexpected().size());
    }

    @Test
    void regexRulesRenameSourceNames() throws IOException {
        List<NamedTensor> src = tinyWeights();
        List<String> names = List.of("backbone.conv.weight", "backbone.bn.weight", "backbone.bn.bias",
                "backbone.bn.running_mean", "backbone.bn.running_var", "backbone.bn.num_batches_tracked",
                "head.weight", "head.bias");
        Layer model = TinyNet.create();
        LoadReport r = WeightMatcher.defaults().matchByShapeOrder(false)
                .rename("^backbone\\.conv\\.", "0.").rename("^backbone\\.bn\\.", "1.").rename("^head\\.", "5.")
                .strict().load(model, renamed(src, names));
        assertTrue(r.isComplete(), r.toString());
        assertEquals("backbone.bn.running_var", r.loaded().get(4).source());
        assertEquals("1.running_var", r.loaded().get(4).target());
        assertModelHolds(model, src);
    }

    @Test
    void kerasNamesLineUpByRoleAndShape() throws IOException {
        List<NamedTensor> src = new ArrayList<>(tinyWeights());
        src.remove(5); // Keras has no num_batches_tracked
        List<NamedTensor> keras = renamed(src, List.of("conv2d/kernel:0", "batch_normalization/gamma:0",
                "batch_normalization/beta:0", "batch_normalization/moving_mean:0",
                "batch_normalization/moving_variance:0", "dense/kernel:0", "dense/bias:0"));
        Layer model = TinyNet.create();
        LoadReport r = WeightMatcher.defaults().strict().load(model, keras);
        assertEquals(7, r.loaded().size());
        assertTrue(r.loaded().stream().allMatch(l -> l.how() == LoadReport.How.SHAPE_ORDER));
        assertEquals(List.of("1.num_batches_tracked"), r.missing().stream().map(LoadReport.Entry::name).toList());
        assertEquals(1.0, r.fractionLoaded());
        assertEquals("batch_normalization/moving_variance:0", r.loaded().get(4).source());
        assertEquals("1.running_var", r.loaded().get(4).target());
        assertArrayEquals(src.get(4).data(), model.stateDict().get("1.running_var").toArray());
    }

    /** A backbone conv and a 10-class head, against a file with a 1000-class head. */
    private static Layer tenClassNet() {
        Sequential net = new Sequential();
        net.add("conv", new Conv2d(3, 8, 3, 1, 1, true));
        net.add("fc", new Linear(512, 10, true));
        return net;
    }

    private static List<NamedTensor> thousandClassWeights(String conv, String fc) {
        return List.of(new NamedTensor(conv + "weight", new int[]{8, 3, 3, 3}, filled(216, 0.5f)),
                new NamedTensor(conv + "bias", new int[]{8}, filled(8, -1f)),
                new NamedTensor(fc + "weight", new int[]{1000, 512}, filled(512_000, 2f)),
                new NamedTensor(fc + "bias", new int[]{1000}, filled(1000, 3f)));
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    @Test
    void aDifferentHeadIsAShapeMismatchWithBothShapesAndIsNotCopied() {
        Layer model = tenClassNet();
        float[] headBefore = model.stateDict().get("fc.weight").toArray();
        LoadReport r = WeightMatcher.defaults().load(model, thousandClassWeights("conv.", "fc."));
        assertEquals(List.of("conv.weight", "conv.bias"), r.loaded().stream().map(LoadReport.Loaded::target).toList());
        assertEquals(2, r.shapeMismatched().size());
        LoadReport.Mismatch m = r.shapeMismatched().getFirst();
        assertEquals("fc.weight", m.target());
        assertArrayEquals(new int[]{10, 512}, m.targetShape());
        assertArrayEquals(new int[]{1000, 512}, m.sourceShape());
        assertTrue(r.missing().isEmpty() && r.unexpected().isEmpty());
        assertEquals(0.5, r.fractionLoaded());
        assertArrayEquals(headBefore, model.stateDict().get("fc.weight").toArray());
        assertArrayEquals(filled(8, -1f), model.stateDict().get("conv.bias").toArray());
        assertTrue(r.toString().contains("[10, 512] vs source [1000, 512]"), r.toString());
    }

    @Test
    void kerasNamesWithADifferentHeadLineUpAndReportTheHead() {
        Layer model = tenClassNet();
        LoadReport r = WeightMatcher.defaults().load(model, thousandClassWeights("block1_conv/", "predictions/"));
        assertEquals(List.of("block1_conv/weight", "block1_conv/bias"),
                r.loaded().stream().map(LoadReport.Loaded::source).toList());
        assertEquals(List.of("fc.weight", "fc.bias"), r.shapeMismatched().stream().map(LoadReport.Mismatch::target).toList());
        assertEquals(LoadReport.How.SHAPE_ORDER, r.shapeMismatched().getFirst().how());
    }

    @Test
    void theReportIsAReadableTable() {
        LoadReport r = WeightMatcher.defaults().match(tenClassNet(), List.of(
                new NamedTensor("conv.weight", new int[]{8, 3, 3, 3}, new float[216]),
                new NamedTensor("fc.weight", new int[]{1000, 512}, new float[512_000]),
                new NamedTensor("aux.scale", new int[]{4}, new float[4])));
        assertEquals("""
                1 of 4 weights loaded (25.0%): 2 missing, 1 unexpected, 1 shape mismatched
                status      model tensor  source tensor  shape                            matched
                MISMATCH    fc.weight     fc.weight      [10, 512] vs source [1000, 512]  exact
                MISSING     conv.bias     -              [8]
                MISSING     fc.bias       -              [10]
                UNEXPECTED  -             aux.scale      [4]
                loaded      conv.weight   conv.weight    [8, 3, 3, 3]                     exact
                note: shape order did not apply: 2 model and 1 source tensors were left, and they part at position 0 \
                (model 'conv.bias' [8], source 'aux.scale' [4])
                """, r.toString());
    }

    @Test
    void strictLoadingFailsWhenNothingMatchesAndCopiesNothing() {
        Layer model = tenClassNet();
        float[] before = model.stateDict().get("conv.weight").toArray();
        List<NamedTensor> unrelated = List.of(new NamedTensor("encoder.w", new int[]{5}, filled(5, 1f)));
        WeightMatchException e = assertThrows(WeightMatchException.class,
                () -> WeightMatcher.defaults().strict(0.5).load(model, unrelated));
        assertTrue(e.getMessage().startsWith("no weights matched the model: the file has 1 tensors like [encoder.w], "
                + "the model expects 4 tensors like [conv.weight, conv.bias, fc.weight]"), e.getMessage());
        assertTrue(e.getMessage().contains("\n0 of 4 weights loaded (0.0%): 4 missing, 1 unexpected"), e.getMessage());
        assertEquals(0, e.report().loaded().size());
        assertArrayEquals(before, model.stateDict().get("conv.weight").toArray());
        LoadReport lenient = WeightMatcher.defaults().load(model, unrelated);
        assertEquals(0, lenient.loaded().size());
    }

    @Test
    void strictLoadingFailsBelowTheFraction() {
        Layer model = tenClassNet();
        float[] before = model.stateDict().get("conv.bias").toArray();
        List<NamedTensor> weights = thousandClassWeights("conv.", "fc.");
        WeightMatchException e = assertThrows(WeightMatchException.class,
                () -> WeightMatcher.defaults().strict(0.75).load(model, weights));
        assertTrue(e.getMessage().startsWith("only 2 of 4 weights matched (50.0%, at least 75.0% required)"),
                e.getMessage());
        assertArrayEquals(before, model.stateDict().get("conv.bias").toArray(), "nothing copied");
        LoadReport r = WeightMatcher.defaults().strict(0.5).load(model, weights);
        assertEquals(2, r.loadedWeights());
        assertArrayEquals(filled(8, -1f), model.stateDict().get("conv.bias").toArray());
        assertThrows(IllegalArgumentException.class, () -> WeightMatcher.defaults().strict(0));
    }
}
