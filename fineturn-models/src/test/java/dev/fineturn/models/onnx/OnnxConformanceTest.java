package dev.fineturn.models.onnx;

import dev.fineturn.nn.Init;
import dev.fineturn.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * ONNX's own backend tests (Debian's libonnx-testdata, ONNX 1.12): every test whose graph uses
 * only operators the importer maps runs through {@link OnnxModel#evaluate} and must reproduce the
 * stored outputs (rtol 1e-3, atol 1e-7, ONNX's defaults). Each test runs twice: with every float
 * input fed at run time, and with the inputs after the first as constants (as initializers are,
 * which imports Conv, Gemm, MatMul and BatchNormalization as trainable layers). A test is
 * unsupported when neither way imports; every such test must match a known limitation below.
 */
class OnnxConformanceTest {
    static final Path DATA = Path.of(System.getenv().getOrDefault("FINETURN_ONNX_TESTDATA",
            "/usr/share/libonnx-testdata/data"));
    static final List<String> GROUPS = List.of("node", "pytorch-converted", "pytorch-operator", "simple");
    static final Set<String> MAPPED = Set.of("Conv", "Gemm", "MatMul", "BatchNormalization", "Relu", "Clip",
            "LeakyRelu", "HardSigmoid", "HardSwish", "Sigmoid", "Tanh", "Add", "Sub", "Mul", "Div", "MaxPool",
            "AveragePool", "GlobalAveragePool", "Flatten", "Reshape", "Concat", "Softmax", "Pad", "Dropout",
            "Identity", "Shape", "Size", "Gather", "Slice", "Cast", "Unsqueeze", "Squeeze", "Transpose", "Constant",
            "ConstantOfShape");
    /** Operators that only move data around; a test is filed under its first other operator. */
    static final Set<String> HELPERS = Set.of("Constant", "Unsqueeze", "Squeeze", "Transpose", "Reshape", "Cast",
            "Identity");
    static final int MIN_PASSED = 238;

    /** Known limitations: test-name pattern, and why fineturn does not import it. */
    static final Map<String, String> KNOWN_UNSUPPORTED = new LinkedHashMap<>();

    static {
        KNOWN_UNSUPPORTED.put("test_(Conv|AvgPool|MaxPool)3d.*|test_(averagepool|maxpool)_3d.*",
                "3-D convolution and pooling (2-D kernels only; 1-D runs as a 1 x L image)");
        KNOWN_UNSUPPORTED.put("test_MaxPool\\dd_stride_padding_dilation|test_maxpool_2d_dilations",
                "dilated max pooling");
        KNOWN_UNSUPPORTED.put("test_maxpool_with_argmax_.*", "MaxPool's Indices output");
        KNOWN_UNSUPPORTED.put(".*_uint8|test_clip_default_int8.*", "integer tensors at run time (float32 only)");
        KNOWN_UNSUPPORTED.put("test_cast_.*|test_castlike_.*", "casts to types other than float32 at run time");
        KNOWN_UNSUPPORTED.put("test_batchnorm_.*_training_mode", "BatchNormalization training_mode=1");
        KNOWN_UNSUPPORTED.put("test_training_dropout.*", "Dropout with training_mode=true");
        KNOWN_UNSUPPORTED.put("test_identity_opt|test_identity_sequence", "optional and sequence values");
        KNOWN_UNSUPPORTED.put("test_(Reflection|Replication)Pad2d|test_(edge|reflect)_pad|test_operator_pad",
                "reflect and edge padding");
    }

    enum Status { PASS, FAIL, UNSUPPORTED }

    record Outcome(String test, String op, Status status, String detail) {
    }

    @Test
    void operatorTestsOfTheMappedOperators() throws IOException {
        boolean present = Files.isDirectory(DATA.resolve("node"));
        if (!present && "1".equals(System.getenv("FINETURN_REQUIRE_ONNX_TESTDATA"))) {
            fail("ONNX operator test data not found at " + DATA + " (apt-get install libonnx-testdata)");
        }
        String skip = "ONNX operator test data not found at " + DATA
                + "; install Debian's libonnx-testdata to run ONNX's operator tests";
        if (!present) {
            System.out.println("SKIPPED " + getClass().getSimpleName() + ": " + skip);
        }
        assumeTrue(present, skip);
        Init.useBackend(ReferenceBackend.get());
        List<Outcome> outcomes = new ArrayList<>();
        for (String group : GROUPS) {
            Path dir = DATA.resolve(group);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> tests = Files.list(dir)) {
                for (Path test : tests.sorted().toList()) {
                    Outcome o = run(test);
                    if (o != null) {
                        outcomes.add(o);
                    }
                }
            }
        }
        report(outcomes);
        List<String> problems = new ArrayList<>();
        for (Outcome o : outcomes) {
            if (o.status() == Status.FAIL) {
                problems.add("FAIL " + o.test() + ": " + o.detail());
            } else if (o.status() == Status.UNSUPPORTED && reasonFor(o.test()) == null) {
                problems.add("UNSUPPORTED (not a known limitation) " + o.test() + ": " + o.detail());
            }
        }
        for (String pattern : KNOWN_UNSUPPORTED.keySet()) {
            if (outcomes.stream().noneMatch(o -> o.status() == Status.UNSUPPORTED && o.test().matches(pattern))) {
                problems.add("known limitation '" + pattern + "' matches no unsupported test: update the list");
            }
        }
        long passed = outcomes.stream().filter(o -> o.status() == Status.PASS).count();
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertTrue(passed >= MIN_PASSED, passed + " tests passed, expected at least " + MIN_PASSED);
    }

    static String reasonFor(String test) {
        for (Map.Entry<String, String> e : KNOWN_UNSUPPORTED.entrySet()) {
            if (Pattern.matches(e.getKey(), test)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** Runs one test directory; null when its graph uses operators outside the mapped set. */
    private static Outcome run(Path test) throws IOException {
        String name = test.getFileName().toString();
        if (name.endsWith("_expanded") || !Files.isRegularFile(test.resolve("model.onnx"))) {
            return null;
        }
        OnnxModel model;
        try {
            model = OnnxModel.open(test.resolve("model.onnx"));
        } catch (UnsupportedOnnxException e) {
            return new Outcome(name, "?", Status.UNSUPPORTED, e.getMessage());
        }
        List<String> ops = model.operators();
        if (ops.isEmpty() || !MAPPED.containsAll(ops)) {
            return null;
        }
        String op = ops.stream().filter(o -> !HELPERS.contains(o)).findFirst().orElse(ops.get(0));
        try {
            model.checkSignature();
        } catch (UnsupportedOnnxException e) {
            return new Outcome(name, op, Status.UNSUPPORTED, e.getMessage());
        }
        List<String> inputs = model.inputNames();
        List<Path> sets;
        try (Stream<Path> s = Files.list(test)) {
            sets = s.filter(p -> p.getFileName().toString().startsWith("test_data_set_")).sorted().toList();
        }
        String unsupported = null;
        boolean ran = false;
        for (boolean weightsAsConstants : new boolean[]{false, true}) {
            Set<String> constants = weightsAsConstants && inputs.size() > 1
                    ? Set.copyOf(inputs.subList(1, inputs.size())) : Set.of();
            if (weightsAsConstants && constants.isEmpty()) {
                continue;
            }
            for (Path set : sets) {
                Map<String, OnnxTensor> out;
                List<OnnxTensor> expected = new ArrayList<>();
                try {
                    Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
                    for (int i = 0; i < inputs.size(); i++) {
                        feeds.put(inputs.get(i), OnnxTensor.read(set.resolve("input_" + i + ".pb")));
                    }
                    for (int k = 0; k < model.outputNames().size(); k++) {
                        expected.add(OnnxTensor.read(set.resolve("output_" + k + ".pb")));
                    }
                    out = model.evaluate(feeds, constants);
                } catch (UnsupportedOnnxException e) {
                    unsupported = e.getMessage();
                    break;
                } catch (IOException | RuntimeException e) {
                    return new Outcome(name, op, Status.FAIL, mode(weightsAsConstants) + ": " + e);
                }
                List<String> outputs = model.outputNames();
                for (int k = 0; k < outputs.size(); k++) {
                    String mismatch = compare(expected.get(k), out.get(outputs.get(k)));
                    if (mismatch != null) {
                        return new Outcome(name, op, Status.FAIL, mode(weightsAsConstants) + ", "
                                + set.getFileName() + ", output '" + outputs.get(k) + "': " + mismatch);
                    }
                }
                ran = true;
            }
        }
        return ran ? new Outcome(name, op, Status.PASS, unsupported == null ? "" : "only with constant weights: "
                + unsupported) : new Outcome(name, op, Status.UNSUPPORTED, unsupported);
    }

    private static String mode(boolean weightsAsConstants) {
        return weightsAsConstants ? "constant weights" : "run-time inputs";
    }

    /** Null when {@code actual} matches within ONNX's tolerances, else what differs. */
    static String compare(OnnxTensor expected, OnnxTensor actual) {
        if (actual == null) {
            return "no output";
        }
        if (!java.util.Arrays.equals(expected.shape(), actual.shape())) {
            return "shape " + java.util.Arrays.toString(actual.shape()) + ", expected "
                    + java.util.Arrays.toString(expected.shape());
        }
        if (!expected.isReal()) {
            long[] e = expected.longs();
            long[] a = actual.longs();
            return java.util.Arrays.equals(e, a) ? null : "values " + java.util.Arrays.toString(a) + ", expected "
                    + java.util.Arrays.toString(e);
        }
        float[] e = expected.floats();
        float[] a = actual.floats();
        for (int i = 0; i < e.length; i++) {
            boolean ok = Float.isNaN(e[i]) ? Float.isNaN(a[i])
                    : e[i] == a[i] || Math.abs(a[i] - e[i]) <= 1e-7 + 1e-3 * Math.abs(e[i]);
            if (!ok) {
                return "element " + i + " is " + a[i] + ", expected " + e[i];
            }
        }
        return null;
    }

    private static void report(List<Outcome> outcomes) {
        Map<String, int[]> byOp = new TreeMap<>();
        for (Outcome o : outcomes) {
            byOp.computeIfAbsent(o.op(), k -> new int[3])[o.status().ordinal()]++;
        }
        StringBuilder sb = new StringBuilder("\nONNX operator conformance (libonnx-testdata " + DATA + ")\n");
        sb.append(String.format("%-20s %6s %6s %6s %12s%n", "operator", "tests", "pass", "fail", "unsupported"));
        int[] total = new int[3];
        byOp.forEach((op, c) -> {
            sb.append(String.format("%-20s %6d %6d %6d %12d%n", op, c[0] + c[1] + c[2], c[0], c[1], c[2]));
            for (int i = 0; i < 3; i++) {
                total[i] += c[i];
            }
        });
        sb.append(String.format("%-20s %6d %6d %6d %12d%n", "total", total[0] + total[1] + total[2], total[0],
                total[1], total[2]));
        for (Outcome o : outcomes) {
            if (o.status() != Status.PASS || !o.detail().isEmpty()) {
                String reason = o.status() == Status.UNSUPPORTED ? reasonFor(o.test()) : null;
                sb.append(String.format("  %-11s %-45s %s%n", o.status(), o.test(),
                        reason != null ? reason + " (" + o.detail() + ")" : o.detail()));
            }
        }
        System.out.print(sb);
    }
}
