package dev.fineturn.data;

import java.util.Arrays;

/** Builds the batches of one epoch from a fixed sample order; safe to call from any thread. */
final class BatchAssembler {
    private final Dataset dataset;
    private final int[] order;
    private final int batchSize;
    private final int batches;
    private final Transform transform;
    private final long seed;
    private final int epoch;

    BatchAssembler(Dataset dataset, int[] order, int batchSize, int batches, Transform transform, long seed,
                   int epoch) {
        this.dataset = dataset;
        this.order = order;
        this.batchSize = batchSize;
        this.batches = batches;
        this.transform = transform;
        this.seed = seed;
        this.epoch = epoch;
    }

    int epoch() {
        return epoch;
    }

    int batches() {
        return batches;
    }

    HostBatch assemble(int b) {
        int from = b * batchSize;
        int n = Math.min(batchSize, order.length - from);
        int[] indices = Arrays.copyOfRange(order, from, from + n);
        int[] labels = new int[n];
        float[] images = null;
        int[] shape = null;
        for (int i = 0; i < n; i++) {
            Sample s = load(indices[i]);
            if (images == null) {
                shape = new int[]{n, s.channels(), s.height(), s.width()};
                images = new float[Math.multiplyExact(n, s.pixels().length)];
            } else if (s.channels() != shape[1] || s.height() != shape[2] || s.width() != shape[3]) {
                throw new IllegalStateException("sample " + indices[i] + " has shape " + Arrays.toString(s.shape())
                        + " but sample " + indices[0] + " in the same batch has " + Arrays.toString(
                        Arrays.copyOfRange(shape, 1, 4)) + "; resize or crop to one size");
            }
            System.arraycopy(s.pixels(), 0, images, i * s.pixels().length, s.pixels().length);
            labels[i] = s.label();
        }
        return new HostBatch(images, shape, labels, indices);
    }

    private Sample load(int index) {
        Sample s = dataset.get(index);
        return transform == null ? s : transform.apply(s, Seeds.random(seed, Seeds.TRANSFORM, epoch, index));
    }
}
