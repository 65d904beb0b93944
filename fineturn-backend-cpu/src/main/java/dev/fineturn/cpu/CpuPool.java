package dev.fineturn.cpu;

import java.util.function.IntConsumer;

/**
 * The one thread pool every CPU kernel shares. Its size is the number of cores, or the
 * {@code fineturn.cpu.threads} system property / {@code FINETURN_CPU_THREADS} variable.
 */
public final class CpuPool {
    private static volatile int THREADS = configuredThreads();
    private static volatile WorkerTeam TEAM = THREADS > 1 ? new WorkerTeam(THREADS) : null;

    private CpuPool() {
    }

    private static int configuredThreads() {
        String v = System.getProperty("fineturn.cpu.threads");
        if (v == null || v.isBlank()) {
            v = System.getenv("FINETURN_CPU_THREADS");
        }
        if (v != null && !v.isBlank()) {
            try {
                int n = Integer.parseInt(v.trim());
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the core count
            }
            throw new IllegalArgumentException("fineturn.cpu.threads must be a positive integer, got '" + v + "'");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    public static int threads() {
        return THREADS;
    }

    /** Resizes the shared pool (e.g. for a 1-thread benchmark); call between, not during, kernels. */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("cpu threads must be at least 1, got " + threads);
        }
        if (threads == THREADS) {
            return;
        }
        WorkerTeam old = TEAM;
        TEAM = threads > 1 ? new WorkerTeam(threads) : null;
        THREADS = threads;
        if (old != null) {
            old.stop();
        }
    }

    /** Runs {@code body(i)} for i in [0, count), split across the pool. */
    public static void parallelFor(int count, IntConsumer body) {
        if (count <= 0) {
            return;
        }
        WorkerTeam team = TEAM;
        if (team == null || count == 1 || WorkerTeam.inLoop() || !team.run(count, body)) {
            for (int i = 0; i < count; i++) {
                body.accept(i);
            }
        }
    }
}
