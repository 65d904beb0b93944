package dev.fineturn.conformance;

import dev.fineturn.spi.Backend;
import dev.fineturn.spi.Storage;

/**
 * A backend with its own (non-host) storage and no kernels at all: every kernel goes through the
 * reference fallback with host copies, as a new device backend would before its kernels exist.
 */
final class MemoryOnlyBackend implements Backend {
    static final MemoryOnlyBackend INSTANCE = new MemoryOnlyBackend();

    private record Memory(Backend backend, float[] data) implements Storage {
        @Override
        public long length() {
            return data.length;
        }
    }

    @Override
    public String name() {
        return "memory-only";
    }

    @Override
    public Storage allocate(long length) {
        return new Memory(this, new float[(int) length]);
    }

    @Override
    public void write(float[] src, int srcOffset, Storage dst, long dstOffset, int length) {
        System.arraycopy(src, srcOffset, ((Memory) dst).data(), (int) dstOffset, length);
    }

    @Override
    public void read(Storage src, long srcOffset, float[] dst, int dstOffset, int length) {
        System.arraycopy(((Memory) src).data(), (int) srcOffset, dst, dstOffset, length);
    }
}
