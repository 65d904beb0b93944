/** The CUDA backend: JCuda driver API with fineturn's own PTX kernels. */
module dev.fineturn.backend.cuda {
    requires transitive dev.fineturn.core;
    requires jcuda;

    exports dev.fineturn.cuda;

    provides dev.fineturn.spi.BackendProvider with dev.fineturn.cuda.CudaBackendProvider;
}
