package dev.fineturn.models.onnx;

import java.util.Map;

/**
 * When the ONNX operators that fineturn imports as plain operators last changed their inputs or
 * attributes before opset 13, so that a node from an older file can be written unchanged into an
 * opset-13 graph only if it is at least that recent.
 */
final class OpsetChanges {
    private static final Map<String, Integer> SIGNATURE_SINCE = Map.ofEntries(
            Map.entry("Add", 7), Map.entry("Sub", 7), Map.entry("Mul", 7), Map.entry("Div", 7),
            Map.entry("Pow", 7), Map.entry("Sqrt", 6), Map.entry("Exp", 6), Map.entry("Neg", 6),
            Map.entry("Relu", 6), Map.entry("Sigmoid", 6), Map.entry("Tanh", 6), Map.entry("LeakyRelu", 6),
            Map.entry("HardSigmoid", 6), Map.entry("Elu", 6), Map.entry("Clip", 11), Map.entry("Identity", 1),
            Map.entry("Concat", 4), Map.entry("Transpose", 1), Map.entry("Reshape", 5), Map.entry("Flatten", 1),
            Map.entry("Gather", 1), Map.entry("MatMul", 1), Map.entry("Gemm", 7), Map.entry("Squeeze", 13),
            Map.entry("Unsqueeze", 13), Map.entry("Slice", 10), Map.entry("Pad", 11), Map.entry("Softmax", 13),
            Map.entry("LogSoftmax", 13), Map.entry("Conv", 1), Map.entry("BatchNormalization", 9),
            Map.entry("GlobalAveragePool", 1), Map.entry("GlobalMaxPool", 1), Map.entry("MaxPool", 8),
            Map.entry("AveragePool", 7), Map.entry("ReduceMean", 1), Map.entry("ReduceMax", 1),
            Map.entry("ReduceMin", 1), Map.entry("ReduceSum", 13), Map.entry("Max", 8), Map.entry("Min", 8),
            Map.entry("Sum", 8), Map.entry("Mean", 8), Map.entry("Erf", 9), Map.entry("Abs", 6));

    private OpsetChanges() {
    }

    /** Whether {@code op} as written at {@code opset} means something else, or is unknown here, at opset 13. */
    static boolean changedAfter(String op, int opset) {
        Integer since = SIGNATURE_SINCE.get(op);
        return since == null || since > opset;
    }
}
