/** Architectures and importers for pretrained-weight formats. */
module dev.fineturn.models {
    requires transitive dev.fineturn.core;
    requires com.fasterxml.jackson.databind;
    // Optional: only the Keras HDF5 and ONNX importers need them (see OptionalModules).
    requires static io.jhdf;
    requires static com.google.protobuf;

    exports dev.fineturn.models.graph;
    exports dev.fineturn.models.keras;
    exports dev.fineturn.models.advise;
    exports dev.fineturn.models.arch;
    exports dev.fineturn.models.format;
    exports dev.fineturn.models.match;
    exports dev.fineturn.models.numpy;
    exports dev.fineturn.models.pytorch;
    exports dev.fineturn.models.onnx;
    exports dev.fineturn.models.pretrained;
    exports dev.fineturn.models.bundle;
}
