package dev.fineturn.models.onnx;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.onnx.proto.Onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads a .onnx file: the ModelProto and its initializers, decoded (external data included). */
final class OnnxFile {
    /** Protobuf messages cannot exceed 2 GiB; larger models keep their weights as external data. */
    static final long MAX_PROTO_BYTES = Integer.MAX_VALUE - 8;

    final Path path;
    final Onnx.ModelProto model;
    final Map<String, OnnxTensor> initializers;

    private OnnxFile(Path path, Onnx.ModelProto model, Map<String, OnnxTensor> initializers) {
        this.path = path;
        this.model = model;
        this.initializers = initializers;
    }

    static OnnxFile read(Path path) throws IOException {
        long size = Files.size(path);
        if (size > MAX_PROTO_BYTES) {
            throw new WeightFormatException(path, "file of " + size + " bytes is larger than a protobuf message can be;"
                    + " large models keep their weights as external data");
        }
        if (size == 0) {
            throw new WeightFormatException(path, "empty file, not an ONNX model");
        }
        Onnx.ModelProto model;
        try {
            model = Onnx.ModelProto.parseFrom(Files.readAllBytes(path));
        } catch (InvalidProtocolBufferException e) {
            throw new WeightFormatException(path, "malformed or truncated ONNX protobuf: " + e.getMessage(), e);
        }
        if (!model.hasGraph()) {
            throw new WeightFormatException(path, "no graph in the model (not an ONNX model file?)");
        }
        TensorDecoder decoder = new TensorDecoder(path, new ExternalData(path));
        Map<String, OnnxTensor> inits = new LinkedHashMap<>();
        for (Onnx.TensorProto t : model.getGraph().getInitializerList()) {
            inits.put(t.getName(), decoder.decode(t, "initializer '" + t.getName() + "'"));
        }
        if (model.getGraph().getSparseInitializerCount() > 0) {
            throw new UnsupportedOnnxException(path, "sparse initializers are not supported");
        }
        return new OnnxFile(path, model, inits);
    }

    /** The version of the default ("" or "ai.onnx") operator set the model imports. */
    int opset() throws WeightFormatException {
        for (Onnx.OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                return (int) Math.min(Math.max(o.getVersion(), 1), Integer.MAX_VALUE);
            }
        }
        if (model.getOpsetImportCount() == 0) {
            return 1;
        }
        throw new UnsupportedOnnxException(path, "the model imports no default ONNX operator set");
    }
}
