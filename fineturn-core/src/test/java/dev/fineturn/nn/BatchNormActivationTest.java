package dev.fineturn.nn;

import dev.fineturn.ops.Activations;
import dev.fineturn.ops.Normalization;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.spi.Backend;
import dev.fineturn.spi.ConvEpilogue;
import dev.fineturn.tensor.Autograd;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** act(batchNorm(x) + residual) as one op against the three ops it replaces: same bits, one graph node. */
class BatchNormActivationTest {
    private final Backend b = ReferenceBackend.get();
    private static final int[] SHAPE = {3, 4, 5, 6};

    /** Inputs spread over both ends of ReLU6's range, so every branch of the mask is taken. */
    private Tensor input(long seed) {
        return Tensor.randn(b, seed, SHAPE).mul(4f);
    }

    private record Result(Tensor y, float[] dx, float[] dGamma, float[] dBeta, float[] dResidual, float[] runningMean,
                          float[] runningVar, long nodes) {
    }

    private Result run(boolean fused, ConvEpilogue act, boolean withResidual, boolean batchStatistics) {
        Tensor x = input(1).requiresGrad(true);
        Tensor gamma = Tensor.randn(b, 2, 4).requiresGrad(true);
        Tensor beta = Tensor.randn(b, 3, 4).requiresGrad(true);
        Tensor residual = withResidual ? input(4).requiresGrad(true) : null;
        Tensor runningMean = Tensor.randn(b, 5, 4);
        Tensor runningVar = Tensor.randn(b, 6, 4).mul(0.5f).exp();
        Tensor seed = Tensor.randn(b, 7, SHAPE);
        long before = Autograd.recordedNodes();
        Tensor y;
        if (fused) {
            y = Normalization.batchNorm(x, gamma, beta, runningMean, runningVar, batchStatistics, 0.1f, 1e-5f, true,
                    residual, act);
        } else {
            y = Normalization.batchNorm(x, gamma, beta, runningMean, runningVar, batchStatistics, 0.1f, 1e-5f);
            if (residual != null) {
                y = y.add(residual);
            }
            y = switch (act) {
                case NONE -> y;
                case RELU -> Activations.relu(y);
                case RELU6 -> Activations.relu6(y);
            };
        }
        long nodes = Autograd.recordedNodes() - before;
        y.backward(seed, false);
        return new Result(y.detach(), x.grad().toArray(), gamma.grad().toArray(), beta.grad().toArray(),
                residual == null ? null : residual.grad().toArray(), runningMean.toArray(), runningVar.toArray(), nodes);
    }

    @ParameterizedTest
    @CsvSource({"RELU, true, true", "RELU, false, true", "RELU6, true, true", "RELU6, false, true",
            "NONE, true, true", "RELU, true, false", "RELU6, false, false"})
    void equalsTheUnfusedOpsBitForBit(ConvEpilogue act, boolean withResidual, boolean batchStatistics) {
        Result unfused = run(false, act, withResidual, batchStatistics);
        Result fused = run(true, act, withResidual, batchStatistics);
        assertArrayEquals(unfused.y().toArray(), fused.y().toArray());
        assertArrayEquals(unfused.dx(), fused.dx());
        assertArrayEquals(unfused.dGamma(), fused.dGamma());
        assertArrayEquals(unfused.dBeta(), fused.dBeta());
        if (withResidual) {
            assertArrayEquals(unfused.dResidual(), fused.dResidual());
        }
        assertArrayEquals(unfused.runningMean(), fused.runningMean());
        assertArrayEquals(unfused.runningVar(), fused.runningVar());
        assertEquals(1, fused.nodes(), "one node for norm, add and activation");
        if (act != ConvEpilogue.NONE) {
            float[] y = fused.y().toArray();
            float[] dx = fused.dx();
            int masked = 0;
            for (int i = 0; i < y.length; i++) {
                masked += y[i] == 0f ? 1 : 0;
            }
            assertTrue(masked > 0 && masked < y.length, "the activation clips some values and passes others");
            assertTrue(java.util.Arrays.stream(box(dx)).anyMatch(v -> v != 0f));
        }
    }

    private static Float[] box(float[] v) {
        Float[] out = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    @Test
    void withoutAGraphItOverwritesTheInputOfAnInPlaceNorm() {
        BatchNorm2d norm = BatchNorm2d.inPlace(4);
        norm.eval();
        Tensor x = input(8);
        Tensor residual = input(9);
        float[] expected;
        try (var g = GradMode.noGrad()) {
            Tensor reference = Activations.relu6(norm.forward(input(8)).add(residual));
            expected = reference.toArray();
            Tensor y = norm.forward(x, residual, ConvEpilogue.RELU6);
            assertSame(x, y);
            assertArrayEquals(expected, y.toArray());
        }
    }

    @Test
    void aResidualOfAnotherShapeIsRefused() {
        Tensor x = input(1);
        Tensor residual = Tensor.randn(b, 2, 3, 4, 5, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Normalization.batchNorm(x, null, null, Tensor.zeros(b, 4), Tensor.ones(b, 4), true, 0.1f, 1e-5f,
                        false, residual, ConvEpilogue.RELU));
        assertTrue(e.getMessage().contains("[3, 4, 5, 5]") && e.getMessage().contains("[3, 4, 5, 6]"), e.getMessage());
    }

    @Test
    void aSequentialRunsNormAndActivationAsOneOp() {
        Sequential block = new Sequential(new BatchNorm2d(4), Activation.reluInPlace());
        Sequential reference = new Sequential(new BatchNorm2d(4), new Activation(Activation.Kind.RELU, false));
        Tensor x1 = input(11).requiresGrad(true);
        Tensor x2 = input(11).requiresGrad(true);
        long before = Autograd.recordedNodes();
        Tensor fused = block.forward(x1);
        assertEquals(1, Autograd.recordedNodes() - before);
        Tensor unfused = reference.forward(x2);
        assertArrayEquals(unfused.toArray(), fused.toArray());
        Tensor seed = Tensor.randn(b, 12, SHAPE);
        fused.backward(seed, false);
        unfused.backward(seed, false);
        assertArrayEquals(x2.grad().toArray(), x1.grad().toArray());
    }
}
