package dev.fineturn.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * The one thread pool every CPU kernel shares. Its size is the number of cores, or the
 * {@code fineturn.cpu.threads} system property / {@code FINETURN_CPU_THREADS} variable.
 */
public final class CpuPool {
    private static volatile int THREADS = configuredThreads();
    private static volatile ForkJoinPool POOL = THREADS > 1 ? new ForkJoinPool(THREADS) : null;

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
        ForkJoinPool old = POOL;
        POOL = threads > 1 ? new ForkJoinPool(threads) : null;
        THREADS = threads;
        if (old != null) {
            old.shutdown();
        }
    }

    /** Runs {@code body(i)} for i in [0, count), split across the pool. */
    public static void parallelFor(int count, IntConsumer body) {
        if (count <= 0) {
            return;
        }
        ForkJoinPool pool = POOL;
        if (pool == null || count == 1 || java.util.concurrent.ForkJoinTask.getPool() == pool) {
            for (int i = 0; i < count; i++) {
                body.accept(i);
            }
            return;
        }
        pool.invoke(new Range(0, count, Math.max(1, count / (THREADS * 4)), body));
    }

    private static final class Range extends RecursiveAction {
        private final int from;
        private final int to;
        private final int grain;
        private final IntConsumer body;

        Range(int from, int to, int grain, IntConsumer body) {
            this.from = from;
            this.to = to;
            this.grain = grain;
            this.body = body;
        }

        @Override
        protected void compute() {
            if (to - from <= grain) {
                for (int i = from; i < to; i++) {
                    body.accept(i);
                }
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new Range(from, mid, grain, body), new Range(mid, to, grain, body));
        }
    }
}
