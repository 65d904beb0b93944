package dev.fineturn.models.onnx;

import dev.fineturn.io.WeightFormatException;

/** Imports one ONNX operator: returns the value of the node's first output. */
@FunctionalInterface
interface Converter {
    Value convert(OpContext c) throws WeightFormatException;
}
