package dev.fineturn.spi;

/**
 * A block of float32 memory owned by one backend. Tensors are views over a storage. There is no
 * {@code free}: the owning backend releases the memory once the storage is unreachable.
 */
public interface Storage {
    /**
     * The backend that allocated this memory: the {@link Backend} instance itself, not a wrapper or
     * a provider, so that {@code storage.backend() == backend} tells whose kernels may touch it.
     */
    Backend backend();

    /** Number of float elements. */
    long length();
}
