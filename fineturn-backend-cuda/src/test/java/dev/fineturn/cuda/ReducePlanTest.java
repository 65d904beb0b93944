package dev.fineturn.cuda;

import dev.fineturn.reference.ElementwiseKernels;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReducePlanTest {
    @Test
    void collapsesExtentOneAxesAndMergesNeighboursOfTheSameKind() {
        ReducePlan p = ReducePlan.of(new int[]{2, 3, 4}, new int[]{1, 3, 1});
        assertEquals(3, p.rank());
        assertArrayEquals(new int[]{1, 3, 1}, p.kept());
        assertArrayEquals(new int[]{2, 1, 4}, p.red());
        assertArrayEquals(new int[]{12, 4, 1}, p.strides());
        assertEquals(3, p.outSize());
        assertEquals(8, p.count());
        assertTrue(p.serial());

        p = ReducePlan.of(new int[]{2, 3, 4, 5}, new int[]{2, 3, 1, 1});
        assertEquals(2, p.rank());
        assertArrayEquals(new int[]{6, 1}, p.kept());
        assertArrayEquals(new int[]{1, 20}, p.red());
        assertArrayEquals(new int[]{20, 1}, p.strides());

        p = ReducePlan.of(new int[]{4, 1, 5}, new int[]{1, 1, 5});
        assertArrayEquals(new int[]{1, 5}, p.kept());
        assertArrayEquals(new int[]{4, 1}, p.red());
        assertArrayEquals(new int[]{5, 1}, p.strides());

        p = ReducePlan.of(new int[]{64, 100}, new int[]{1, 100});
        assertEquals(64, p.count());
        assertTrue(!p.serial(), "64 summands per output take a block each");

        p = ReducePlan.of(new int[]{1, 1}, new int[]{1, 1});
        assertEquals(1, p.rank());
        assertEquals(1, p.count());
    }

    @Test
    void refusesOutputsThatAreNotReductions() {
        assertThrows(IllegalArgumentException.class, () -> ReducePlan.of(new int[]{2, 3}, new int[]{2, 2}));
        assertThrows(IllegalArgumentException.class, () -> ReducePlan.of(new int[]{2, 3}, new int[]{3}));
    }

    /** The kernels' reduce_offset walk over the plan, in Java, against the reference sum. */
    @Test
    void thePlanAddsUpWhatTheReferenceAddsUp() {
        SplittableRandom r = new SplittableRandom(5);
        for (int trial = 0; trial < 300; trial++) {
            int rank = 1 + r.nextInt(5);
            int[] in = new int[rank];
            int[] out = new int[rank];
            int total = 1;
            for (int d = 0; d < rank; d++) {
                in[d] = r.nextInt(4) == 0 ? 1 : 1 + r.nextInt(5);
                out[d] = r.nextBoolean() ? 1 : in[d];
                total *= in[d];
            }
            float[] x = new float[total];
            for (int i = 0; i < total; i++) {
                x[i] = (float) r.nextInt(-50, 50);
            }
            int outSize = 1;
            for (int d : out) {
                outSize *= d;
            }
            float[] expected = new float[outSize];
            ElementwiseKernels.sumReduce(in, x, out, expected);
            ReducePlan p = ReducePlan.of(in, out);
            assertEquals(outSize, p.outSize());
            float[] actual = new float[outSize];
            for (int o = 0; o < outSize; o++) {
                for (int k = 0; k < p.count(); k++) {
                    actual[o] += x[offset(p, o, k)];
                }
            }
            assertArrayEquals(expected, actual, java.util.Arrays.toString(in) + " -> " + java.util.Arrays.toString(out));
        }
    }

    /** reduce_offset in kernels/reduce.h. */
    private static int offset(ReducePlan p, int o, int r) {
        int off = 0;
        for (int d = p.rank() - 1; d >= 0; d--) {
            off += (o % p.kept()[d] + r % p.red()[d]) * p.strides()[d];
            o /= p.kept()[d];
            r /= p.red()[d];
        }
        return off;
    }
}
