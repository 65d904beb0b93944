package dev.fineturn.data;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The background thread that assembles batches {@code [start, end)} into a bounded queue. It holds
 * no reference to the iterator that consumes it, so an abandoned iterator can be collected and
 * its cleaner can stop this thread.
 */
final class BatchProducer implements Runnable {
    /** Takes the place of the batch whose assembly threw. */
    record Failure(int batchIndex, Throwable error) {
    }

    private final BatchAssembler assembler;
    private final int start;
    private final int end;
    private final BlockingQueue<Object> queue;
    private final Thread thread;
    private volatile boolean stopped;

    BatchProducer(BatchAssembler assembler, int start, int end, int prefetch, String threadName) {
        this.assembler = assembler;
        this.start = start;
        this.end = end;
        this.queue = new ArrayBlockingQueue<>(prefetch);
        this.thread = Thread.ofPlatform().daemon().name(threadName).unstarted(this);
    }

    void start() {
        thread.start();
    }

    Thread thread() {
        return thread;
    }

    @Override
    public void run() {
        for (int b = start; b < end && !stopped; b++) {
            Object item;
            try {
                item = assembler.assemble(b);
            } catch (Throwable t) {
                item = new Failure(b, t);
            }
            try {
                queue.put(item);
            } catch (InterruptedException e) {
                return;
            }
            if (item instanceof Failure) {
                return;
            }
        }
    }

    /** The next batch or failure, in order. */
    Object take() throws InterruptedException {
        return queue.take();
    }

    /** Stops the thread (if still running) and drops queued batches; idempotent. */
    void stop() {
        stopped = true;
        thread.interrupt();
        queue.clear();
    }
}
