package dev.fineturn.data;

import java.util.function.Consumer;

/**
 * The batches of one epoch from a start batch on. Each {@link #iterator()} starts its own prefetch
 * thread; {@link #forEach} closes it when done or when the action throws.
 */
public final class Epoch implements Iterable<Batch> {
    private final DataLoader loader;
    private final int epoch;
    private final int startBatch;

    Epoch(DataLoader loader, int epoch, int startBatch) {
        this.loader = loader;
        this.epoch = epoch;
        this.startBatch = startBatch;
    }

    public int number() {
        return epoch;
    }

    public int startBatch() {
        return startBatch;
    }

    /** How many batches iteration yields. */
    public int remainingBatches() {
        return loader.batchesPerEpoch() - startBatch;
    }

    @Override
    public BatchIterator iterator() {
        return loader.iterator(epoch, startBatch);
    }

    @Override
    public void forEach(Consumer<? super Batch> action) {
        try (BatchIterator it = iterator()) {
            while (it.hasNext()) {
                action.accept(it.next());
            }
        }
    }
}
