package dev.fineturn.data;

import java.util.Iterator;

/**
 * The batches of one epoch. Close it when stopping early so its prefetch thread ends at once; an
 * unclosed, unreachable iterator stops its thread when it is garbage collected.
 */
public interface BatchIterator extends Iterator<Batch>, AutoCloseable {
    /** The index within the epoch of the batch {@link #next()} returns. */
    int nextBatchIndex();

    @Override
    void close();
}
