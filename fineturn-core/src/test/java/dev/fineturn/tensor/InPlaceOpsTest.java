package dev.fineturn.tensor;

import dev.fineturn.nn.Activation;
import dev.fineturn.nn.BatchNorm2d;
import dev.fineturn.ops.Activations;
import dev.fineturn.ops.Arithmetic;
import dev.fineturn.ops.Normalization;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.spi.Backend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** relu, relu6 and add over their input's memory where nothing records, a new tensor where something does. */
class InPlaceOpsTest {
    private final Backend b = ReferenceBackend.get();

    private Tensor values(float... v) {
        return Tensor.of(b, v, v.length);
    }

    @Test
    void reluOverwritesAnUnrecordedInput() {
        Tensor x = values(-1f, 2f, -3f, 7f);
        Tensor y = Activations.reluInPlace(x);
        assertSame(x, y);
        assertArrayEquals(new float[]{0f, 2f, 0f, 7f}, x.toArray());
        Tensor z = Activations.relu6InPlace(values(-1f, 2f, 9f));
        assertArrayEquals(new float[]{0f, 2f, 6f}, z.toArray());
    }

    @Test
    void reluLeavesARecordedInputAloneAndStillDifferentiates() {
        Tensor w = values(-1f, 2f, 3f).requiresGrad(true);
        Tensor h = w.mul(2f);
        Tensor y = Activations.reluInPlace(h);
        assertNotSame(h, y);
        assertArrayEquals(new float[]{-2f, 4f, 6f}, h.toArray());
        y.sum().backward();
        assertArrayEquals(new float[]{0f, 2f, 2f}, w.grad().toArray());
    }

    @Test
    void underNoGradEvenAParametersDescendantIsOverwritten() {
        Tensor w = values(-1f, 2f).requiresGrad(true);
        try (var g = GradMode.noGrad()) {
            Tensor h = w.mul(1f);
            assertSame(h, Activations.reluInPlace(h));
            assertArrayEquals(new float[]{0f, 2f}, h.toArray());
        }
        assertArrayEquals(new float[]{-1f, 2f}, w.toArray());
    }

    @Test
    void aViewIsNotOverwritten() {
        Tensor base = Tensor.of(b, new float[]{-1f, -2f, 3f, -4f}, 2, 2);
        Tensor column = base.slice(1, 1, 2);
        Tensor y = Activations.reluInPlace(column);
        assertNotSame(column, y);
        assertArrayEquals(new float[]{0f, 0f}, y.toArray());
        assertArrayEquals(new float[]{-1f, -2f, 3f, -4f}, base.toArray());
    }

    @Test
    void addOverwritesTheFirstOperandWithABroadcastSecond() {
        Tensor a = Tensor.of(b, new float[]{1f, 2f, 3f, 4f, 5f, 6f}, 2, 3);
        Tensor bias = Tensor.of(b, new float[]{10f, 20f}, 2, 1);
        Tensor s = Arithmetic.addInPlace(a, bias);
        assertSame(a, s);
        assertArrayEquals(new float[]{11f, 12f, 13f, 24f, 25f, 26f}, a.toArray());
        assertArrayEquals(new float[]{10f, 20f}, bias.toArray());
    }

    @Test
    void addMakesANewTensorWhereOverwritingWouldBeWrong() {
        // The sum is wider than a.
        Tensor narrow = values(1f, 2f);
        Tensor wide = Tensor.of(b, new float[]{1f, 1f, 1f, 1f}, 2, 2);
        Tensor s = Arithmetic.addInPlace(narrow, wide);
        assertNotSame(narrow, s);
        assertArrayEquals(new float[]{2f, 3f, 2f, 3f}, s.toArray());
        assertArrayEquals(new float[]{1f, 2f}, narrow.toArray());
        // b is a shifted view of a's own memory: overwriting a would read already-summed elements.
        Tensor row = Tensor.of(b, new float[]{1f, 2f, 3f, 4f}, 4);
        Tensor shifted = Arithmetic.addInPlace(row.slice(0, 0, 3), row.slice(0, 1, 4));
        assertArrayEquals(new float[]{3f, 5f, 7f}, shifted.toArray());
        assertArrayEquals(new float[]{1f, 2f, 3f, 4f}, row.toArray());
        // Recorded: gradients reach both operands and a keeps its values.
        Tensor x = values(1f, 2f).requiresGrad(true);
        Tensor y = values(3f, 4f).requiresGrad(true);
        Tensor h = x.mul(1f);
        Tensor r = Arithmetic.addInPlace(h, y);
        assertNotSame(h, r);
        assertArrayEquals(new float[]{1f, 2f}, h.toArray());
        r.mul(values(5f, 7f)).sum().backward();
        assertArrayEquals(new float[]{5f, 7f}, x.grad().toArray());
        assertArrayEquals(new float[]{5f, 7f}, y.grad().toArray());
    }

    @Test
    void batchNormOverwritesAnUnrecordedInputAfterTakingItsStatistics() {
        // Two channels, two values each: batch statistics mean 2 / 10, biased variance 1 / 4.
        Tensor x = Tensor.of(b, new float[]{1f, 3f, 8f, 12f}, 2, 2).transpose(0, 1).contiguous();
        Tensor rm = Tensor.zeros(b, 2);
        Tensor rv = Tensor.ones(b, 2);
        Tensor y = Normalization.batchNorm(x, null, null, rm, rv, true, 1f, 0f, true);
        assertSame(x, y);
        assertArrayEquals(new float[]{-1f, -1f, 1f, 1f}, x.toArray(), 1e-6f);
        assertArrayEquals(new float[]{2f, 10f}, rm.toArray(), 1e-6f);
        // Recorded through gamma: a new tensor, x untouched.
        Tensor x2 = Tensor.of(b, new float[]{1f, 3f}, 2, 1);
        Tensor gamma = Tensor.ones(b, 1).requiresGrad(true);
        Tensor y2 = Normalization.batchNorm(x2, gamma, null, null, null, true, 0.1f, 0f, true);
        assertNotSame(x2, y2);
        assertArrayEquals(new float[]{1f, 3f}, x2.toArray());
        // The module does so only when built in place, and not while its trainable parameters record.
        Tensor x3 = Tensor.of(b, new float[]{1f, 3f}, 2, 1);
        assertNotSame(x3, BatchNorm2d.inPlace(1).forward(x3));
        try (var g = GradMode.noGrad()) {
            assertNotSame(x3, new BatchNorm2d(1).forward(x3));
            assertSame(x3, BatchNorm2d.inPlace(1).forward(x3));
        }
    }

    @Test
    void activationModulesRunInPlaceOnlyWhenAsked() {
        Tensor x = values(-1f, 1f);
        assertNotSame(x, Activation.relu().forward(x));
        assertArrayEquals(new float[]{-1f, 1f}, x.toArray());
        assertSame(x, Activation.reluInPlace().forward(x));
        assertArrayEquals(new float[]{0f, 1f}, x.toArray());
        Tensor y = values(7f, -2f);
        assertSame(y, new Activation(Activation.Kind.RELU6, true).forward(y));
        assertArrayEquals(new float[]{6f, 0f}, y.toArray());
        assertThrows(IllegalArgumentException.class, () -> new Activation(Activation.Kind.SIGMOID, true));
    }
}
