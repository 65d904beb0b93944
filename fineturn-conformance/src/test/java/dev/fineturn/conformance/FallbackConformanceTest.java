package dev.fineturn.conformance;

import dev.fineturn.spi.Backend;
import dev.fineturn.backend.FallbackLog;
import dev.fineturn.spi.Storage;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A backend without kernels passes the whole kit through the reference fallback, and warns once. */
class FallbackConformanceTest extends BackendConformanceKit {
    @Override
    protected Backend backend() {
        return MemoryOnlyBackend.INSTANCE;
    }

    @Test
    void fallbackWarnsExactlyOncePerKernel() {
        Backend fresh = new Backend() {
            private final String n = "fresh-" + System.nanoTime();

            @Override
            public String name() {
                return n;
            }

            @Override
            public Storage allocate(long length) {
                return MemoryOnlyBackend.INSTANCE.allocate(length);
            }

            @Override
            public void write(float[] src, int srcOffset, Storage dst, long dstOffset, int length) {
                MemoryOnlyBackend.INSTANCE.write(src, srcOffset, dst, dstOffset, length);
            }

            @Override
            public void read(Storage src, long srcOffset, float[] dst, int dstOffset, int length) {
                MemoryOnlyBackend.INSTANCE.read(src, srcOffset, dst, dstOffset, length);
            }
        };
        long before = FallbackLog.warnings();
        Storage s = fresh.allocate(4);
        fresh.fill(s, 0, 4, 2f);
        fresh.fill(s, 1, 2, 5f);
        fresh.fill(s, 0, 1, 1f);
        float[] out = new float[4];
        fresh.read(s, 0, out, 0, 4);
        assertArrayEquals(new float[]{1f, 5f, 5f, 2f}, out);
        assertTrue(FallbackLog.fallbacks().contains(fresh.name() + "/fill"));
        assertEquals(1, FallbackLog.warnings() - before, "one warning for three fallback fills");
    }
}
