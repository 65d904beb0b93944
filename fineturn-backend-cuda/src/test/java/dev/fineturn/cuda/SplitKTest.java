package dev.fineturn.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SplitKTest {
    @Test
    void shortReductionsAreNotSplit() {
        // 2 x 17 x 19 = 646 reduced elements: one chunk of 512 or more leaves no room to split.
        assertEquals(new SplitK(1, 656), SplitK.plan(646, 3, 1, 16));
        assertEquals(new SplitK(1, 1024), SplitK.plan(1023, 1, 1, 8));
    }

    @Test
    void longReductionsSplitUntilTheDeviceIsFull() {
        // ResNet conv2_x weight gradient, batch 8: 64 x 576 in 9 small tiles, 8*56*56 = 25088 reduced.
        SplitK s = SplitK.plan(25088, 9, 1, 16);
        assertEquals(new SplitK(29, 880), s);
        // Many tiles already: 256 / 300 rounds up to one split.
        assertEquals(1, SplitK.plan(25088, 300, 1, 16).splits());
        // Few tiles and a very long reduction: capped at 64 splits.
        assertEquals(new SplitK(64, 15680), SplitK.plan(1_003_520, 1, 1, 8));
        // Groups count as tiles: 4 tiles x 8 groups = 32 blocks, 8 splits make 256.
        assertEquals(new SplitK(8, 1568), SplitK.plan(12544, 4, 8, 16));
    }

    @Test
    void chunksCoverTheReductionExactlyAndTheGridStaysInBounds() {
        int[] reductions = {1, 7, 511, 512, 1024, 4097, 25088, 100_003, 3_000_000};
        long[] tiles = {1, 2, 9, 100, 1000};
        int[] groups = {1, 3, 32, 4096, 65535};
        for (int r : reductions) {
            for (long t : tiles) {
                for (int g : groups) {
                    for (int depth : new int[]{8, 16}) {
                        SplitK s = SplitK.plan(r, t, g, depth);
                        String what = "reduction " + r + " tiles " + t + " groups " + g + ": " + s;
                        assertEquals(0, s.chunk() % depth, what);
                        assertTrue((long) (s.splits() - 1) * s.chunk() < r, what);
                        assertTrue((long) s.splits() * s.chunk() >= r, what);
                        assertTrue(s.splits() <= SplitK.MAX_SPLITS, what);
                        assertTrue((long) s.splits() * g <= LaunchShape.MAX_GRID_YZ, what);
                        assertTrue(s.splits() == 1 || s.chunk() >= SplitK.MIN_CHUNK, what);
                    }
                }
            }
        }
    }
}
