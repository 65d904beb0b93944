package dev.fineturn.tensor;

import dev.fineturn.nn.Activation;
import dev.fineturn.ops.Activations;
import dev.fineturn.ops.Arithmetic;
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
