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
}
