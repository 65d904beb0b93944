/** The OpenCL backend, through JOCL. */
module dev.fineturn.backend.opencl {
    requires transitive dev.fineturn.core;
    requires jocl;

    exports dev.fineturn.opencl;

    provides dev.fineturn.spi.BackendProvider with dev.fineturn.opencl.OpenClBackendProvider;
}
