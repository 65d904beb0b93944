package dev.fineturn.cpu;

import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkerTeamTest {
    @Test
    void everyIndexRunsExactlyOnceAcrossManyLoops() {
        WorkerTeam team = new WorkerTeam(3);
        try {
            for (int count : new int[]{1, 2, 3, 7, 1000, 16384}) {
                for (int rep = 0; rep < 50; rep++) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(count);
                    assertTrue(team.run(count, hits::incrementAndGet));
                    for (int i = 0; i < count; i++) {
                        assertEquals(1, hits.get(i), "index " + i + " of " + count);
                    }
                }
            }
        } finally {
            team.stop();
        }
    }

    @Test
    void theWorkIsSharedAndALoopInsideABodyIsRefused() {
        WorkerTeam team = new WorkerTeam(2);
        try {
            Set<Thread> outer = ConcurrentHashMap.newKeySet();
            java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();
            for (int rep = 0; rep < 200 && outer.size() < 2; rep++) {
                team.run(64, i -> {
                    outer.add(Thread.currentThread());
                    assertTrue(WorkerTeam.inLoop());
                    // A loop started from inside a body is refused: the team is busy with this one.
                    assertFalse(team.run(4, j -> ran.incrementAndGet()));
                    busy(20_000);
                });
            }
            assertEquals(2, outer.size(), "both the caller and the worker took indices");
            assertEquals(0, ran.get());
        } finally {
            team.stop();
        }
    }

    @Test
    void aFailingBodyReachesTheCallerAndTheTeamStaysUsable() {
        WorkerTeam team = new WorkerTeam(2);
        try {
            IllegalStateException boom = new IllegalStateException("boom at 17");
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> team.run(100, i -> {
                if (i == 17) {
                    throw boom;
                }
            }));
            assertSame(boom, thrown);
            AtomicIntegerArray hits = new AtomicIntegerArray(10);
            team.run(10, hits::incrementAndGet);
            for (int i = 0; i < 10; i++) {
                assertEquals(1, hits.get(i));
            }
        } finally {
            team.stop();
        }
    }

    @Test
    void cpuPoolRunsNestedParallelLoopsSerially() {
        AtomicIntegerArray hits = new AtomicIntegerArray(12);
        CpuPool.parallelFor(3, i -> CpuPool.parallelFor(4, j -> hits.incrementAndGet(i * 4 + j)));
        for (int i = 0; i < 12; i++) {
            assertEquals(1, hits.get(i));
        }
    }

    private static void busy(int iterations) {
        double x = 0;
        for (int i = 0; i < iterations; i++) {
            x += Math.sqrt(i);
        }
        if (x < 0) {
            throw new AssertionError();
        }
    }
}
