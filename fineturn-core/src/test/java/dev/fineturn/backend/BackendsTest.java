package dev.fineturn.backend;

import dev.fineturn.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackendsTest {
    @Test
    void serviceLoaderFindsTheReferenceBackend() {
        assertTrue(Backends.names().contains("reference"), Backends.names().toString());
        Backends.Status s = Backends.statuses().stream().filter(x -> x.name().equals("reference")).findFirst()
                .orElseThrow();
        assertTrue(s.available());
        assertEquals(0, s.priority());
    }

    @Test
    void explicitNameSelectsAndIsCaseInsensitive() {
        assertSame(ReferenceBackend.get(), Backends.get("Reference"));
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.get("tpu"));
        assertTrue(e.getMessage().contains("unknown backend 'tpu'"), e.getMessage());
        assertTrue(e.getMessage().contains("reference"), e.getMessage());
    }

    @Test
    void defaultIsTheBestAvailableBackend() {
        // Only the reference backend is on core's test class path.
        assertSame(ReferenceBackend.get(), Backends.defaultBackend());
    }

    @Test
    void fallingBackToTheReferenceForAMissingFlagIsAWarningThatNamesIt() {
        var cpu = new Backends.Status("cpu", 100, false, "the JVM was started without --add-modules jdk.incubator.vector");
        var cuda = new Backends.Status("cuda", 200, false, "no CUDA driver (libcuda.so.1)");
        String w = Backends.fallbackWarning("reference", java.util.List.of(cuda, cpu));
        org.junit.jupiter.api.Assertions.assertNotNull(w);
        org.junit.jupiter.api.Assertions.assertTrue(w.contains("cpu backend") && w.contains("--add-modules "
                + "jdk.incubator.vector") && w.contains("single-threaded reference"), w);
        org.junit.jupiter.api.Assertions.assertNull(Backends.fallbackWarning("cpu", java.util.List.of(cuda)));
        org.junit.jupiter.api.Assertions.assertNull(Backends.fallbackWarning("reference", java.util.List.of(cuda)),
                "no flag would help: the reference is simply the only backend");
    }
}
