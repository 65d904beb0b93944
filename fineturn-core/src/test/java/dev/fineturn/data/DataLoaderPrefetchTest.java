package dev.fineturn.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.fineturn.data.DataLoaderTest.loader;
import static dev.fineturn.data.DataLoaderTest.samples;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataLoaderPrefetchTest {
    /** Delegates to {@code inner}, throwing for one index and counting reads. */
    static final class Faulty implements Dataset {
        final Dataset inner;
        final int failAt;
        final AtomicInteger reads = new AtomicInteger();

        Faulty(Dataset inner, int failAt) {
            this.inner = inner;
            this.failAt = failAt;
        }

        @Override
        public int size() {
            return inner.size();
        }

        @Override
        public Sample get(int i) {
            reads.incrementAndGet();
            if (i == failAt) {
                throw new IllegalStateException("cannot read sample " + i);
            }
            return inner.get(i);
        }

        @Override
        public int[] sampleShape() {
            return inner.sampleShape();
        }

        @Override
        public int numClasses() {
            return inner.numClasses();
        }
    }

    private static void awaitDeath(Thread t) throws InterruptedException {
        t.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(t.isAlive(), t.getName() + " is still running: " + List.of(t.getStackTrace()));
    }

    @Test
    void producerExceptionSurfacesWithItsCauseAfterTheEarlierBatches() {
        Faulty d = new Faulty(samples(12), 7);
        DataLoader l = loader(d).shuffle(false).build();
        List<int[]> delivered = new ArrayList<>();
        DataLoaderException e;
        try (BatchIterator it = l.epoch(0).iterator()) {
            e = assertThrows(DataLoaderException.class, () -> {
                while (it.hasNext()) {
                    delivered.add(it.next().indices());
                }
            });
            assertFalse(it.hasNext());
            assertThrows(NoSuchElementException.class, it::next);
        }
        assertEquals(2, delivered.size());
        assertArrayEquals(new int[]{3, 4, 5}, delivered.get(1));
        assertTrue(e.getCause() instanceof IllegalStateException);
        assertEquals("cannot read sample 7", e.getCause().getMessage());
        assertTrue(e.getMessage().contains("batch 2 of epoch 0"), e.getMessage());
    }

    @Test
    void transformExceptionsSurfaceToo() {
        DataLoader l = loader(samples(5)).transform(new CenterCrop(4, 4)).build();
        DataLoaderException e = assertThrows(DataLoaderException.class, () -> l.epoch(0).forEach(b -> { }));
        assertTrue(e.getCause() instanceof IllegalArgumentException);
        assertTrue(e.getCause().getMessage().contains("CenterCrop"), e.getCause().getMessage());
    }

    @Test
    void prefetchRunsAheadButStaysBounded() throws InterruptedException {
        Faulty d = new Faulty(samples(30), -1);
        DataLoader l = loader(d).batchSize(1).prefetch(2).build();
        try (BatchIterator it = l.epoch(0).iterator()) {
            it.next();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (d.reads.get() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(100);
            // one batch consumed, two queued, one assembled and waiting for room
            int reads = d.reads.get();
            assertTrue(reads >= 3 && reads <= 4, "reads " + reads);
        }
    }

    @Test
    void closingEarlyStopsTheProducerThread() throws InterruptedException {
        Faulty d = new Faulty(samples(60), -1);
        DataLoader l = loader(d).batchSize(2).build();
        PrefetchingBatchIterator it = (PrefetchingBatchIterator) l.epoch(0).iterator();
        Thread producer = it.producerThread();
        assertTrue(producer.isDaemon());
        it.next();
        it.close();
        awaitDeath(producer);
        assertTrue(d.reads.get() < 60, "the producer should not read the whole epoch, read " + d.reads.get());
        assertFalse(it.hasNext());
    }

    @Test
    void anExceptionInsideForEachStopsTheProducerThread() throws InterruptedException {
        DataLoader l = loader(samples(60)).batchSize(2).build();
        List<String> before = loaderThreads().stream().map(Thread::getName).toList();
        List<Thread> producers = new ArrayList<>();
        RuntimeException stop = new RuntimeException("stop");
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> l.epoch(0).forEach(b -> {
            loaderThreads().stream().filter(t -> !before.contains(t.getName())).forEach(producers::add);
            throw stop;
        }));
        assertSame(stop, thrown);
        assertEquals(1, producers.size(), "30 batches cannot all be queued, so the producer must be running");
        awaitDeath(producers.getFirst());
    }

    private static List<Thread> loaderThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("fineturn-data-loader-")).toList();
    }

    @Test
    void anAbandonedIteratorStopsItsThreadWhenCollected() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        Thread producer = abandon(loader(samples(60)).batchSize(2).build(), started);
        assertTrue(started.await(10, TimeUnit.SECONDS));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (producer.isAlive() && System.nanoTime() < deadline) {
            System.gc();
            producer.join(50);
        }
        assertFalse(producer.isAlive(), "the producer of an unreachable iterator is still running");
    }

    private static Thread abandon(DataLoader l, CountDownLatch started) {
        PrefetchingBatchIterator it = (PrefetchingBatchIterator) l.epoch(0).iterator();
        it.next();
        started.countDown();
        return it.producerThread();
    }

    @Test
    void aFinishedEpochLeavesNoThread() throws InterruptedException {
        DataLoader l = loader(samples(9)).build();
        PrefetchingBatchIterator it = (PrefetchingBatchIterator) l.epoch(0).iterator();
        while (it.hasNext()) {
            it.next();
        }
        awaitDeath(it.producerThread());
    }
}
