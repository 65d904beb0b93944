package dev.fineturn.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlignedPanelTest {
    private static final int MB = 1 << 20;

    @Test
    void regionSizeFollowsG1sErgonomics() {
        // G1 picks about 2048 regions, a power of two from 1 to 32 MB (read off -XX:+PrintFlagsFinal).
        assertEquals(4 * MB, AlignedPanel.regionBytes(6_320_816_128L));
        assertEquals(2 * MB, AlignedPanel.regionBytes(4096L * MB));
        assertEquals(MB, AlignedPanel.regionBytes(512L * MB));
        assertEquals(32 * MB, AlignedPanel.regionBytes(256L << 30));
        assertEquals(32 * MB, AlignedPanel.regionBytes(Long.MAX_VALUE));
    }

    @Test
    void bufferHoldsTheRequestAfterItsStartAndIsReused() {
        float[] b = AlignedPanel.buffer(1000);
        assertTrue(b.length >= AlignedPanel.START + 1000);
        if (AlignedPanel.HUMONGOUS_FLOATS <= AlignedPanel.MAX_PADDED_FLOATS) {
            assertTrue(b.length >= AlignedPanel.HUMONGOUS_FLOATS, "large enough to be a humongous object");
        }
        assertSame(b, AlignedPanel.buffer(10));
        float[] larger = AlignedPanel.buffer(b.length);
        assertTrue(larger.length >= AlignedPanel.START + b.length);
    }
}
