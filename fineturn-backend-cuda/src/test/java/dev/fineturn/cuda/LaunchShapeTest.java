package dev.fineturn.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LaunchShapeTest {
    @Test
    void linearLaunchesCoverEveryElementWith256ThreadBlocks() {
        assertEquals(new LaunchShape(1, 1, 1, 256, 1, 1), LaunchShape.linear(1));
        assertEquals(new LaunchShape(1, 1, 1, 256, 1, 1), LaunchShape.linear(256));
        assertEquals(new LaunchShape(2, 1, 1, 256, 1, 1), LaunchShape.linear(257));
        assertEquals(3907, LaunchShape.linear(1_000_000).gridX());
        assertEquals(1_000_192, LaunchShape.linear(1_000_000).threads());
        assertEquals(8_388_608, LaunchShape.linear(Integer.MAX_VALUE).gridX());
    }

    @Test
    void perItemLaunchesOneBlockPerItem() {
        assertEquals(new LaunchShape(7, 1, 1, 256, 1, 1), LaunchShape.perItem(7, 256));
        assertEquals(new LaunchShape(1, 1, 1, 64, 1, 1), LaunchShape.perItem(0, 64));
    }

    @Test
    void refusesWhatNoDeviceCanLaunch() {
        assertThrows(IllegalArgumentException.class, () -> new LaunchShape(1, 65536, 1, 256, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new LaunchShape(1, 1, 65536, 256, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new LaunchShape(1, 1, 1, 1025, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new LaunchShape(1, 1, 1, 32, 32, 2));
        assertThrows(IllegalArgumentException.class, () -> new LaunchShape(0, 1, 1, 256, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> LaunchShape.blocks(1L << 40, 256));
        assertEquals(65535, new LaunchShape(1, 65535, 65535, 1024, 1, 1).gridZ());
    }
}
