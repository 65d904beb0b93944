/** Architectures and importers for pretrained-weight formats. */
module dev.fineturn.models {
    requires transitive dev.fineturn.core;
    requires com.fasterxml.jackson.databind;
    requires com.google.protobuf;

    exports dev.fineturn.models.graph;
    exports dev.fineturn.models.keras;
    exports dev.fineturn.models.onnx;
}
