package dev.fineturn.models.onnx;

import dev.fineturn.io.WeightFormatException;

import java.nio.file.Path;

/** A valid ONNX model that uses an operator, attribute or data type fineturn cannot import. */
public class UnsupportedOnnxException extends WeightFormatException {
    public UnsupportedOnnxException(Path file, String problem) {
        super(file, problem);
    }
}
