package dev.fineturn.cuda;

/**
 * The device operations {@link CudaBackend} is built on: {@link DriverApi} (JCuda's driver API) on
 * a GPU; tests without one substitute a CPU emulation that runs the same kernels.cu. Memory is
 * named by opaque handles.
 */
interface CudaDriver {
    String deviceName();

    /** Zero-filled memory of {@code floats} floats (at least one). */
    Object allocate(long floats);

    /** Frees the memory of a handle; run by a Cleaner once its storage is unreachable. */
    Runnable freer(Object handle);

    void copyToDevice(float[] src, int srcOffset, Object dst, long dstOffset, int length);

    void copyToHost(Object src, long srcOffset, float[] dst, int dstOffset, int length);

    /**
     * Launches a kernel of kernels.ptx in stream order; the arguments are those of
     * {@link KernelLaunch} with device memory given by its handle.
     */
    void launch(String kernel, LaunchShape shape, Object[] args);

    /** Waits for launched work to finish. */
    void synchronize();

    /** {free, total} bytes of device memory. */
    long[] memoryInfo();
}
