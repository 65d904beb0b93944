package dev.fineturn.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;

/**
 * The live heap at chosen points of a step: each {@link #at} runs a full collection and reads the heap in use
 * after it, keeping the largest reading and where it was taken. Off until {@link #start}.
 */
final class HeapProbe {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private boolean on;
    private long peak;
    private String where = "-";

    /** Bytes in use after a full collection. */
    long live() {
        System.gc();
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    void start() {
        on = true;
        peak = 0;
        where = "-";
    }

    void stop() {
        on = false;
    }

    /** Reads the live heap at {@code point} while {@code keep} (tensors the caller still holds) are reachable. */
    void at(String point, Object... keep) {
        if (!on) {
            return;
        }
        long bytes = live();
        if (bytes > peak) {
            peak = bytes;
            where = point;
        }
        Reference.reachabilityFence(keep);
    }

    long peak() {
        return peak;
    }

    String where() {
        return where;
    }
}
