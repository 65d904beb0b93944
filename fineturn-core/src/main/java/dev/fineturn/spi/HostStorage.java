package dev.fineturn.spi;

import java.util.Objects;

/** Storage in a Java float array; used by the reference backend and by host (CPU) backends. */
public final class HostStorage implements Storage {
    private final Backend backend;
    private final float[] data;

    public HostStorage(Backend backend, float[] data) {
        this.backend = Objects.requireNonNull(backend);
        this.data = Objects.requireNonNull(data);
    }

    public float[] data() {
        return data;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public long length() {
        return data.length;
    }

    /** Allocates host memory, refusing sizes a Java array cannot hold. */
    public static HostStorage allocate(Backend backend, long length) {
        if (length < 0 || length > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(backend.name() + ": cannot allocate " + length
                    + " floats in host memory (limit " + (Integer.MAX_VALUE - 8) + ")");
        }
        return new HostStorage(backend, new float[(int) length]);
    }
}
