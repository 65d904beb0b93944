package dev.fineturn.backend;

import java.util.Set;

/** Which backend kernels have fallen back to the reference implementation in this JVM. */
public final class FallbackLog {
    private FallbackLog() {
    }

    /** Entries look like {@code "opencl/conv2dForward"}. */
    public static Set<String> fallbacks() {
        return Fallback.warned();
    }

    /** How many fallback warnings were logged in this JVM (one per backend and kernel). */
    public static long warnings() {
        return Fallback.warnings();
    }
}
