package dev.fineturn.data;

import dev.fineturn.spi.Backend;

import java.lang.ref.Cleaner;
import java.util.NoSuchElementException;

/**
 * Consumes what a {@link BatchProducer} prepares. Batches are uploaded to the backend here, on the
 * consumer's thread, because a backend's device context may be bound to that thread.
 */
final class PrefetchingBatchIterator implements BatchIterator {
    private static final Cleaner CLEANER = Cleaner.create();

    private final BatchProducer producer;
    private final Cleaner.Cleanable cleanable;
    private final Backend backend;
    private final int epoch;
    private final int end;
    private int next;
    private boolean closed;

    PrefetchingBatchIterator(BatchAssembler assembler, Backend backend, int start, int prefetch, String threadName) {
        this.backend = backend;
        this.epoch = assembler.epoch();
        this.end = assembler.batches();
        this.next = start;
        this.producer = new BatchProducer(assembler, start, end, prefetch, threadName);
        this.cleanable = CLEANER.register(this, producer::stop);
        producer.start();
    }

    Thread producerThread() {
        return producer.thread();
    }

    @Override
    public int nextBatchIndex() {
        return next;
    }

    @Override
    public boolean hasNext() {
        return !closed && next < end;
    }

    @Override
    public Batch next() {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " has no batch " + next
                    + (closed ? " (the iterator is closed)" : ""));
        }
        Object item;
        try {
            item = producer.take();
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new DataLoaderException("interrupted while waiting for batch " + next + " of epoch " + epoch, e);
        }
        if (item instanceof BatchProducer.Failure(int batchIndex, Throwable error)) {
            close();
            throw new DataLoaderException("loading batch " + batchIndex + " of epoch " + epoch + " failed: "
                    + error, error);
        }
        next++;
        if (next == end) {
            close();
        }
        return ((HostBatch) item).upload(backend);
    }

    @Override
    public void close() {
        closed = true;
        cleanable.clean();
    }
}
