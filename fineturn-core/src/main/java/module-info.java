/** fineturn core: tensors, autograd, ops, the backend SPI and the reference backend. */
module dev.fineturn.core {
    requires com.fasterxml.jackson.databind;
    // Only image decoding (ImageDecoder) needs it; a module that reads image files requires it itself.
    requires static java.desktop;

    exports dev.fineturn.spi;
    exports dev.fineturn.backend;
    exports dev.fineturn.tensor;
    exports dev.fineturn.ops;
    exports dev.fineturn.reference;
    exports dev.fineturn.io;
    exports dev.fineturn.nn;
    exports dev.fineturn.optim;
    exports dev.fineturn.train;
    exports dev.fineturn.train.linear;
    exports dev.fineturn.optim.schedule;
    exports dev.fineturn.data;

    uses dev.fineturn.spi.BackendProvider;
    provides dev.fineturn.spi.BackendProvider with dev.fineturn.reference.ReferenceBackendProvider;
}
