package dev.fineturn.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * A fixed team of worker threads for data-parallel loops: the caller and {@code size - 1} workers take
 * runs of indices from one shared counter until none are left. Unlike a fork-join pool, the team never adds
 * threads, so a loop runs on exactly as many threads as there are cores, each keeping its caches.
 * Workers spin for a short while after a loop before they park, since kernels of one training step
 * follow each other closely.
 */
final class WorkerTeam {
    /** Spin iterations (each a {@link Thread#onSpinWait}) before an idle worker or a waiting caller parks. */
    private static final int SPINS = 1 << 15;

    private static final ThreadLocal<Boolean> IN_LOOP = ThreadLocal.withInitial(() -> false);

    private final Thread[] workers;
    private final ReentrantLock caller = new ReentrantLock();
    private volatile Loop current;
    private volatile boolean stopped;

    /**
     * One parallel loop: the next index to take, and how many threads are inside it. The caller
     * closes it (active turns negative) once nobody is inside, so it never waits for a worker that
     * was asleep or descheduled and took no part.
     */
    private static final class Loop {
        static final int CLOSED = Integer.MIN_VALUE / 2;
        final int count;
        /** Threads that may share the loop: a grab is about a quarter of an even share of what is left. */
        final int threads;
        final IntConsumer body;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger active = new AtomicInteger(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread owner;

        Loop(int count, int threads, IntConsumer body, Thread owner) {
            this.count = count;
            this.threads = threads;
            this.body = body;
            this.owner = owner;
        }

        boolean join() {
            for (int a = active.get(); a >= 0; a = active.get()) {
                if (active.compareAndSet(a, a + 1)) {
                    return true;
                }
            }
            return false;
        }
    }

    WorkerTeam(int size) {
        workers = new Thread[size - 1];
        for (int i = 0; i < workers.length; i++) {
            Thread t = new Thread(this::workerLoop, "fineturn-cpu-" + (i + 1));
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    int size() {
        return workers.length + 1;
    }

    /** True on a thread that is inside a loop body (a nested loop then runs on that thread alone). */
    static boolean inLoop() {
        return IN_LOOP.get();
    }

    /**
     * Runs body(i) for i in [0, count) on the team. Returns false, having run nothing, when the team
     * is busy (another thread's loop, or this call comes from inside a loop body); the caller then
     * runs the loop itself.
     */
    boolean run(int count, IntConsumer body) {
        if (inLoop() || !caller.tryLock()) {
            return false;
        }
        try {
            Loop loop = new Loop(count, size(), body, Thread.currentThread());
            current = loop;
            for (Thread w : workers) {
                LockSupport.unpark(w);
            }
            work(loop);
            loop.active.decrementAndGet();
            for (int spins = 0; !loop.active.compareAndSet(0, Loop.CLOSED); spins++) {
                if (spins < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 100_000L);
                }
            }
            current = null;
            Throwable failure = loop.failure.get();
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            if (failure != null) {
                throw new IllegalStateException(failure);
            }
            return true;
        } finally {
            caller.unlock();
        }
    }

    void stop() {
        stopped = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }

    private static void work(Loop loop) {
        IN_LOOP.set(true);
        try {
            // Guided grabs: large while much is left, single indices at the end. One shared counter
            // touched per index made loops over thousands of small items (a batch norm over the
            // planes of a 2x2 map) spend more on the counter's cache line than on the items.
            for (int i = loop.next.get(); i < loop.count; i = loop.next.get()) {
                int grab = Math.max(1, (loop.count - i) / (4 * loop.threads));
                if (!loop.next.compareAndSet(i, i + grab)) {
                    continue;
                }
                for (int end = Math.min(loop.count, i + grab); i < end; i++) {
                    loop.body.accept(i);
                }
            }
        } catch (Throwable t) {
            loop.failure.compareAndSet(null, t);
            // Let the other participants stop early: no index is left for them.
            loop.next.set(loop.count);
        } finally {
            IN_LOOP.set(false);
        }
    }

    private void workerLoop() {
        Loop done = null;
        int spins = 0;
        while (!stopped) {
            Loop loop = current;
            if (loop == null || loop == done) {
                if (spins++ < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
                continue;
            }
            spins = 0;
            done = loop;
            if (loop.join()) {
                work(loop);
                if (loop.active.decrementAndGet() == 0) {
                    LockSupport.unpark(loop.owner);
                }
            }
        }
    }
}
