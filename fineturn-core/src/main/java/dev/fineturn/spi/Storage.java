package dev.fineturn.spi;

/** A block of float32 memory owned by one backend. Tensors are views over a storage. */
public interface Storage {
    /** The backend that owns this memory. */
    Backend backend();

    /** Number of float elements. */
    long length();
}
