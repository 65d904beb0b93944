package dev.fineturn.tensor;

import dev.fineturn.ops.Convolution;
import dev.fineturn.ops.Conv2dOptions;
import dev.fineturn.ops.Losses;
import dev.fineturn.ops.MatMul;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.spi.Backend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorTest {
    private final Backend b = ReferenceBackend.get();

    private Tensor arange(int... shape) {
        float[] v = new float[(int) Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        return Tensor.of(b, v, shape);
    }

    @Test
    void viewsShareStorageAndReadThroughStrides() {
        Tensor x = arange(2, 3, 4);
        Tensor p = x.permute(2, 0, 1);
        assertSame(x.storage(), p.storage());
        assertArrayEquals(new int[]{4, 2, 3}, p.shape());
        assertFalse(p.isContiguous());
        assertEquals(13f, p.slice(0, 1, 2).slice(1, 1, 2).slice(2, 0, 1).item());
        Tensor s = x.slice(1, 1, 3).slice(2, 0, 4, 3);
        assertArrayEquals(new float[]{4, 7, 8, 11, 16, 19, 20, 23}, s.toArray());
        assertArrayEquals(new int[]{2, 12}, x.flatten(1).shape());
        assertSame(x.storage(), x.reshape(6, -1).storage());
        assertArrayEquals(new float[]{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, arange(3, 4).transpose(0, 1).toArray());
    }

    @Test
    void reshapeOfANonContiguousViewCopies() {
        Tensor t = arange(2, 3).transpose(0, 1).reshape(6);
        assertArrayEquals(new float[]{0, 3, 1, 4, 2, 5}, t.toArray());
    }

    @Test
    void broadcastingFollowsNumpy() {
        Tensor a = arange(2, 1, 3);
        Tensor c = Tensor.of(b, new float[]{10, 20}, 2, 1);
        Tensor sum = a.add(c);
        assertArrayEquals(new int[]{2, 2, 3}, sum.shape());
        assertArrayEquals(new float[]{10, 11, 12, 20, 21, 22, 13, 14, 15, 23, 24, 25}, sum.toArray());
        Tensor e = Tensor.of(b, new float[]{5}, 1).expand(2, 3);
        assertArrayEquals(new float[]{5, 5, 5, 5, 5, 5}, e.toArray());
    }

    @Test
    void shapeMismatchNamesTheOpAndBothShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> arange(2, 3).add(arange(4)));
        assertTrue(e.getMessage().startsWith("add:"), e.getMessage());
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4]"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> arange(2, 3).matmul(arange(4, 5)));
        assertTrue(e.getMessage().startsWith("matmul:") && e.getMessage().contains("[2, 3]")
                && e.getMessage().contains("[4, 5]"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> Convolution.conv2d(arange(1, 3, 5, 5), arange(8, 4, 3, 3), null, Conv2dOptions.defaults()));
        assertTrue(e.getMessage().startsWith("conv2d:") && e.getMessage().contains("[1, 3, 5, 5]")
                && e.getMessage().contains("[8, 4, 3, 3]"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> MatMul.linear(arange(2, 5), arange(3, 4), null));
        assertTrue(e.getMessage().startsWith("linear:") && e.getMessage().contains("[2, 5]")
                && e.getMessage().contains("[3, 4]"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> arange(2, 3).reshape(4, 2));
        assertTrue(e.getMessage().startsWith("reshape:"), e.getMessage());
    }

    @Test
    void crossEntropyRejectsLabelsOutOfRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Losses.crossEntropy(arange(2, 3), new int[]{0, 3}, 0f));
        assertTrue(e.getMessage().contains("label 3") && e.getMessage().contains("[0, 3)"), e.getMessage());
    }

    @Test
    void crossEntropyMatchesHandComputedValue() {
        // logits [0, ln 3] -> p = [1/4, 3/4]; label 1 -> loss = -ln(3/4)
        Tensor logits = Tensor.of(b, new float[]{0f, (float) Math.log(3)}, 1, 2);
        assertEquals(-Math.log(0.75), Losses.crossEntropy(logits, new int[]{1}, 0f).item(), 1e-6);
        // smoothing 0.2 over 2 classes: target [0.1, 0.9]
        double expected = -(0.1 * Math.log(0.25) + 0.9 * Math.log(0.75));
        assertEquals(expected, Losses.crossEntropy(logits, new int[]{1}, 0.2f).item(), 1e-6);
    }

    @Test
    void convolutionMatchesAHandComputedExample() {
        // 3x3 input, 2x2 kernel of ones, stride 1: each output is the sum of a 2x2 window.
        Tensor x = arange(1, 1, 3, 3);
        Tensor w = Tensor.ones(b, 1, 1, 2, 2);
        assertArrayEquals(new float[]{8, 12, 20, 24},
                Convolution.conv2d(x, w, null, Conv2dOptions.defaults()).toArray());
    }

    @Test
    void mixingBackendsIsAnError() {
        Tensor a = arange(2);
        Tensor other = Tensor.of(new dev.fineturn.backend.TestBackends().memoryOnly(), new float[]{1, 2}, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.add(other));
        assertTrue(e.getMessage().contains("different backends"), e.getMessage());
        assertArrayEquals(new float[]{1, 4}, a.to(other.backend()).add(other).add(a.to(other.backend())).toArray(),
                1e-6f);
    }

    @Test
    void invalidShapesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(b, 2, -1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(b, 1 << 16, 1 << 16));
        assertTrue(e.getMessage().contains("more than a tensor can hold"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(b, new float[3], 2, 2));
    }
}
