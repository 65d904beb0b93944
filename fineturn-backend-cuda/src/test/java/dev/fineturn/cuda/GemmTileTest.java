package dev.fineturn.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GemmTileTest {
    @Test
    void smallOutputsAndFewTilesUseTheSmallTile() {
        assertEquals(GemmTile.SMALL, GemmTile.choose(7, 13, 2));
        assertEquals(GemmTile.SMALL, GemmTile.choose(64, 100_000, 1), "64 rows fit one small tile");
        assertEquals(GemmTile.SMALL, GemmTile.choose(100_000, 10, 1), "a 10-column Linear output");
        // 8 x 8 = 64 large tiles are fewer than LARGE_MIN_BLOCKS (96): 256 small tiles fill the device better.
        assertEquals(GemmTile.SMALL, GemmTile.choose(1024, 1024, 1));
        assertEquals(GemmTile.LARGE, GemmTile.choose(1024, 1024, 2));
        assertEquals(GemmTile.LARGE, GemmTile.choose(2048, 2048, 1));
        assertEquals(GemmTile.LARGE, GemmTile.choose(256, 50_176, 1), "ResNet conv: 256 channels x 224*224 pixels");
    }

    @Test
    void gridCoversColumnsInXRowsInYAndDepthInZ() {
        assertEquals(new LaunchShape(1, 1, 2, 256, 1, 1), GemmTile.SMALL.shape(7, 13, 2));
        assertEquals(new LaunchShape(8, 5, 1, 256, 1, 1), GemmTile.SMALL.shape(300, 500, 1));
        assertEquals(new LaunchShape(4, 3, 1, 256, 1, 1), GemmTile.LARGE.shape(300, 500, 1));
        assertEquals(new LaunchShape(2, 2, 3, 256, 1, 1), GemmTile.LARGE.shape(129, 256, 3));
        assertEquals(15, GemmTile.LARGE.blocks(300, 600));
        assertEquals(50, GemmTile.SMALL.blocks(300, 600));
        assertEquals("conv_fwd_large", GemmTile.LARGE.kernel("conv_fwd"));
        assertEquals("gemm_small", GemmTile.SMALL.kernel("gemm"));
    }

    @Test
    void tileShapesMatchTheKernelSource() throws Exception {
        String cu = java.nio.file.Files.readString(java.nio.file.Path.of("src/main/cuda/gemm.cu"));
        for (GemmTile t : GemmTile.values()) {
            String instance = "tiled_gemm<" + t.rows + ", " + t.cols + ", " + t.depth + ">";
            assertTrue(cu.contains(instance), "gemm.cu instantiates " + instance);
            assertEquals(0, t.rows * t.depth % GemmTile.THREADS, t + ": every thread loads whole elements of A");
            assertEquals(0, t.cols * t.depth % GemmTile.THREADS, t + ": every thread loads whole elements of B");
            assertEquals(0, t.rows % 16 + t.cols % 16, t + ": 16 x 16 threads own equal register blocks");
        }
    }

    @Test
    void refusesRowTilesBeyondTheGridLimit() {
        assertThrows(IllegalArgumentException.class, () -> GemmTile.SMALL.shape(64L * 65536, 10, 1));
        assertEquals(65535, GemmTile.SMALL.shape(64L * 65535, 10, 1).gridY());
    }
}
