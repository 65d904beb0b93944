package dev.fineturn.data;

import dev.fineturn.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataLoaderTest {
    /** Sample i is 1x1x2 with pixels (i, i + 0.5) and label i % 3. */
    static InMemoryDataset samples(int n) {
        float[] pixels = new float[2 * n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            pixels[2 * i] = i;
            pixels[2 * i + 1] = i + 0.5f;
            labels[i] = i % 3;
        }
        return new InMemoryDataset(pixels, labels, new int[]{1, 1, 2}, 3);
    }

    static DataLoader.Builder loader(Dataset d) {
        return DataLoader.builder(d).backend(ReferenceBackend.get()).batchSize(3).seed(42);
    }

    static List<Batch> collect(Iterable<Batch> epoch) {
        List<Batch> out = new ArrayList<>();
        epoch.forEach(out::add);
        return out;
    }

    static int[] indices(List<Batch> batches) {
        return batches.stream().flatMapToInt(b -> Arrays.stream(b.indices())).toArray();
    }

    @Test
    void batchesHoldTheRightSamplesOnTheBackend() {
        InMemoryDataset d = samples(10);
        List<Batch> batches = collect(loader(d).build().epoch(0));
        assertEquals(4, batches.size());
        assertEquals(List.of(3, 3, 3, 1), batches.stream().map(Batch::size).toList());
        for (Batch b : batches) {
            assertSame(ReferenceBackend.get(), b.images().backend());
            assertSame(ReferenceBackend.get(), b.labels().backend());
            assertArrayEquals(new int[]{b.size(), 1, 1, 2}, b.images().shape());
            assertArrayEquals(new int[]{b.size()}, b.labels().shape());
            float[] images = b.images().toArray();
            float[] labels = b.labels().toArray();
            for (int k = 0; k < b.size(); k++) {
                int i = b.indices()[k];
                assertEquals(i, images[2 * k]);
                assertEquals(i + 0.5f, images[2 * k + 1]);
                assertEquals(i % 3, b.labelArray()[k]);
                assertEquals(i % 3, labels[k]);
            }
        }
    }

    @Test
    void everySampleOncePerEpoch() {
        DataLoader l = loader(samples(10)).build();
        for (int e = 0; e < 3; e++) {
            int[] seen = indices(collect(l.epoch(e)));
            assertEquals(10, seen.length);
            assertArrayEquals(new int[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, Arrays.stream(seen).sorted().toArray());
            assertArrayEquals(l.order(e), seen);
        }
    }

    @Test
    void dropLastDropsThePartialBatch() {
        DataLoader l = loader(samples(10)).dropLast(true).build();
        assertEquals(3, l.batchesPerEpoch());
        List<Batch> batches = collect(l.epoch(1));
        assertEquals(3, batches.size());
        int[] seen = indices(batches);
        assertEquals(9, Arrays.stream(seen).distinct().count());
        assertArrayEquals(Arrays.copyOf(l.order(1), 9), seen);
        assertThrows(IllegalArgumentException.class, () -> loader(samples(2)).dropLast(true).build());
    }

    @Test
    void withoutShuffleTheOrderIsTheDatasetOrder() {
        DataLoader l = loader(samples(7)).shuffle(false).build();
        assertArrayEquals(new int[]{0, 1, 2, 3, 4, 5, 6}, indices(collect(l.epoch(3))));
    }

    @Test
    void sameSeedSameOrderOtherSeedOrEpochOtherOrder() {
        InMemoryDataset d = samples(20);
        int[] a = indices(collect(loader(d).build().epoch(2)));
        int[] b = indices(collect(loader(d).build().epoch(2)));
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, indices(collect(loader(d).seed(43).build().epoch(2)))));
        DataLoader l = loader(d).build();
        assertFalse(Arrays.equals(indices(collect(l.epoch(0))), indices(collect(l.epoch(1)))));
        assertFalse(Arrays.equals(l.order(1), l.order(2)));
    }

    @Test
    void startBatchResumesWithTheSameRemainingBatches() {
        DataLoader l = loader(samples(11)).transform(new RandomCrop(1, 1)).build();
        List<Batch> full = collect(l.epoch(5));
        Epoch resumed = l.epoch(5, 2);
        assertEquals(2, resumed.remainingBatches());
        List<Batch> rest = collect(resumed);
        assertEquals(full.size() - 2, rest.size());
        for (int k = 0; k < rest.size(); k++) {
            assertArrayEquals(full.get(k + 2).indices(), rest.get(k).indices());
            assertArrayEquals(full.get(k + 2).images().toArray(), rest.get(k).images().toArray());
        }
        assertEquals(0, collect(l.epoch(5, 4)).size());
        assertThrows(IllegalArgumentException.class, () -> l.epoch(5, 5));
    }

    @Test
    void randomTransformsAreSeededPerSampleNotByThreadTiming() {
        InMemoryDataset d = samples(30);
        Transform crop = new RandomCrop(1, 1);
        float[] a = images(loader(d).transform(crop).prefetch(1).build().epoch(0));
        float[] b = images(loader(d).transform(crop).prefetch(8).batchSize(7).build().epoch(0));
        DataLoader l = loader(d).transform(crop).build();
        int[] order = l.order(0);
        int[] orderB = loader(d).transform(crop).batchSize(7).build().order(0);
        assertArrayEquals(order, orderB);
        float[] byIndexA = new float[30];
        float[] byIndexB = new float[30];
        int flips = 0;
        for (int k = 0; k < 30; k++) {
            byIndexA[order[k]] = a[k];
            byIndexB[order[k]] = b[k];
            float v = a[k];
            assertTrue(v == order[k] || v == order[k] + 0.5f, "crop of sample " + order[k] + " gave " + v);
            flips += v == order[k] ? 0 : 1;
        }
        assertArrayEquals(byIndexA, byIndexB);
        assertTrue(flips > 5 && flips < 25, "both windows should occur, got " + flips + " right-hand crops");
        float[] nextEpoch = images(l.epoch(1));
        int[] order1 = l.order(1);
        float[] byIndexNext = new float[30];
        for (int k = 0; k < 30; k++) {
            byIndexNext[order1[k]] = nextEpoch[k];
        }
        assertFalse(Arrays.equals(byIndexA, byIndexNext), "epochs should draw different crops");
    }

    private static float[] images(Epoch epoch) {
        List<Batch> batches = collect(epoch);
        int n = batches.stream().mapToInt(Batch::size).sum();
        float[] out = new float[n];
        int k = 0;
        for (Batch b : batches) {
            for (float v : b.images().toArray()) {
                out[k++] = v;
            }
        }
        return out;
    }

    @Test
    void samplesOfDifferentShapesInOneBatchFailNamingThem() {
        Dataset ragged = new Dataset() {
            @Override
            public int size() {
                return 2;
            }

            @Override
            public Sample get(int i) {
                return new Sample(new float[i + 1], 1, 1, i + 1, 0);
            }

            @Override
            public int[] sampleShape() {
                return new int[]{1, 1, 1};
            }

            @Override
            public int numClasses() {
                return 1;
            }
        };
        DataLoader l = loader(ragged).shuffle(false).build();
        DataLoaderException e = assertThrows(DataLoaderException.class, () -> collect(l.epoch(0)));
        assertTrue(e.getMessage().contains("sample 1 has shape [1, 1, 2]"), e.getMessage());
    }
}
