package dev.fineturn.opencl;

import dev.fineturn.reference.NormKernels;
import dev.fineturn.spi.Storage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static dev.fineturn.conformance.TrainingFixtures.assertClose;
import static dev.fineturn.conformance.TrainingFixtures.random;

/** Batch norm against the reference, with channels larger than a work-group and hw = 1. */
class ClNormTest {
    private static OpenClBackend backend;
    private static DeviceArrays d;

    @BeforeAll
    static void device() {
        backend = OpenClTestDevice.backend();
        d = new DeviceArrays(backend);
    }

    @ParameterizedTest
    @CsvSource({"3, 5, 700, true", "3, 5, 700, false", "6, 4, 1, true", "2, 3, 49, false"})
    void statisticsForwardAndBackwardMatchReference(int n, int c, int hw, boolean batchStatistics) {
        int total = n * c * hw;
        float eps = 1e-5f;
        float[] x = random(total, 31);
        for (int i = 0; i < total; i++) {
            x[i] = 3f + 2f * x[i];
        }
        float[] dy = random(total, 32);
        float[] gamma = random(c, 33);
        float[] beta = random(c, 34);
        float[] mean = new float[c];
        float[] var = new float[c];
        float[] y = new float[total];
        float[] dx = new float[total];
        float[] dg = new float[c];
        float[] db = new float[c];
        NormKernels.statistics(n, c, hw, x, mean, var);
        NormKernels.forward(n, c, hw, eps, x, mean, var, gamma, beta, y);
        NormKernels.backward(n, c, hw, eps, batchStatistics, x, dy, mean, var, gamma, dx, dg, db);
        Storage sx = d.up(x);
        Storage sdy = d.up(dy);
        Storage sg = d.up(gamma);
        Storage sb = d.up(beta);
        Storage sm = d.zeros(c);
        Storage sv = d.zeros(c);
        Storage sy = d.zeros(total);
        Storage sdx = d.zeros(total);
        Storage sdg = d.zeros(c);
        Storage sdb = d.zeros(c);
        d.onDevice(() -> {
            backend.batchNormStatistics(n, c, hw, sx, sm, sv);
            backend.batchNormForward(n, c, hw, eps, sx, sm, sv, sg, sb, sy);
            backend.batchNormBackward(n, c, hw, eps, batchStatistics, sx, sdy, sm, sv, sg, sdx, sdg, sdb);
        });
        assertClose("mean", mean, d.down(sm, c), 1e-5);
        assertClose("var", var, d.down(sv, c), 1e-5);
        assertClose("y", y, d.down(sy, total), 1e-5);
        assertClose("dx", dx, d.down(sdx, total), 1e-4);
        assertClose("dgamma", dg, d.down(sdg, c), 1e-4);
        assertClose("dbeta", db, d.down(sdb, c), 1e-5);
    }
}
