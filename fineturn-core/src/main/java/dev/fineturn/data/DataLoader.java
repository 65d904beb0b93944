package dev.fineturn.data;

import dev.fineturn.backend.Backends;
import dev.fineturn.spi.Backend;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Serves a dataset as mini-batches on a backend, assembling the next batches on a background
 * thread while the caller trains. The sample order of epoch e depends only on (seed, e), and a
 * random transform draws from a generator seeded by (seed, e, sample index), so every epoch can be
 * replayed or resumed at any batch with identical results.
 */
public final class DataLoader {
    private static final AtomicLong THREADS = new AtomicLong();

    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private final Backend backend;
    private final Transform transform;
    private final int prefetch;

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.dropLast = b.dropLast;
        this.backend = b.backend != null ? b.backend : Backends.defaultBackend();
        this.transform = b.transform;
        this.prefetch = b.prefetch;
        if (batchesPerEpoch() == 0) {
            throw new IllegalArgumentException("DataLoader: " + dataset.size() + " samples give no batch of "
                    + batchSize + (dropLast ? " with dropLast" : ""));
        }
    }

    public static Builder builder(Dataset dataset) {
        return new Builder(dataset);
    }

    public Dataset dataset() {
        return dataset;
    }

    public Backend backend() {
        return backend;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Full batches, plus the partial last one unless dropLast. */
    public int batchesPerEpoch() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The dataset indices in the order epoch {@code epoch} visits them. */
    public int[] order(int epoch) {
        checkEpoch(epoch);
        int n = dataset.size();
        if (shuffle) {
            return Seeds.permutation(n, Seeds.random(seed, Seeds.SHUFFLE, epoch));
        }
        int[] identity = new int[n];
        for (int i = 0; i < n; i++) {
            identity[i] = i;
        }
        return identity;
    }

    public Epoch epoch(int epoch) {
        return epoch(epoch, 0);
    }

    /** Epoch {@code epoch} from batch {@code startBatch} on: exactly the batches a full epoch yields there. */
    public Epoch epoch(int epoch, int startBatch) {
        checkEpoch(epoch);
        if (startBatch < 0 || startBatch > batchesPerEpoch()) {
            throw new IllegalArgumentException("DataLoader: start batch " + startBatch + " is outside [0, "
                    + batchesPerEpoch() + "]");
        }
        return new Epoch(this, epoch, startBatch);
    }

    BatchIterator iterator(int epoch, int startBatch) {
        BatchAssembler assembler = new BatchAssembler(dataset, order(epoch), batchSize, batchesPerEpoch(),
                transform, seed, epoch);
        String name = "fineturn-data-loader-" + THREADS.incrementAndGet() + "-epoch-" + epoch;
        return new PrefetchingBatchIterator(assembler, backend, startBatch, prefetch, name);
    }

    private static void checkEpoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("DataLoader: epoch " + epoch + " is negative");
        }
    }

    /** Settings with defaults: batch size 32, shuffled, seed 0, partial last batch kept, 2 batches prefetched. */
    public static final class Builder {
        private final Dataset dataset;
        private int batchSize = 32;
        private boolean shuffle = true;
        private long seed;
        private boolean dropLast;
        private Backend backend;
        private Transform transform;
        private int prefetch = 2;

        private Builder(Dataset dataset) {
            this.dataset = Objects.requireNonNull(dataset);
        }

        public Builder batchSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("DataLoader: batch size " + size + " must be at least 1");
            }
            this.batchSize = size;
            return this;
        }

        public Builder shuffle(boolean value) {
            this.shuffle = value;
            return this;
        }

        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        public Builder dropLast(boolean value) {
            this.dropLast = value;
            return this;
        }

        /** Where batches go; the default backend if not set. */
        public Builder backend(Backend value) {
            this.backend = value;
            return this;
        }

        public Builder transform(Transform value) {
            this.transform = value;
            return this;
        }

        /** How many batches the background thread may prepare ahead of the consumer. */
        public Builder prefetch(int batches) {
            if (batches < 1) {
                throw new IllegalArgumentException("DataLoader: prefetch " + batches + " must be at least 1");
            }
            this.prefetch = batches;
            return this;
        }

        public DataLoader build() {
            return new DataLoader(this);
        }
    }
}
