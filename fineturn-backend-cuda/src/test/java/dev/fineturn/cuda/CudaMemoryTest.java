package dev.fineturn.cuda;

import dev.fineturn.conformance.TrainingFixtures;
import dev.fineturn.nn.Layer;
import dev.fineturn.optim.Sgd;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A thousand training steps on the GPU leave device memory where it was after warm-up: every
 * intermediate tensor's memory is returned once it is unreachable (CudaStorage frees through a
 * Cleaner), and the planners' scratch buffer is reused. Skipped, with the probe's reason, where
 * there is no GPU.
 */
@Tag("cuda")
class CudaMemoryTest {
    private static final int BATCH = 16;
    private static final int WARMUP = 50;
    private static final int STEPS = 1000;
    /** cuMemGetInfo moves in the driver's 2 MiB pages; a leak of 4 KiB per step would exceed this. */
    private static final long SLACK = 4L << 20;

    @Test
    void aThousandStepsDoNotGrowDeviceMemory() throws InterruptedException {
        stepsDoNotGrowDeviceMemory(CudaTestDevice.backend(), BATCH, WARMUP, STEPS, SLACK);
    }

    /** Also run, shorter, on the CPU emulation by CudaEmulatedBackendTest. */
    static void stepsDoNotGrowDeviceMemory(CudaBackend cuda, int batch, int warmup, int steps, long slack)
            throws InterruptedException {
        Layer model = TrainingFixtures.cnn(cuda);
        Sgd opt = TrainingFixtures.sgd(model);
        float[] labels = new float[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = i % TrainingFixtures.CLASSES;
        }
        Tensor x = Tensor.of(cuda, TrainingFixtures.random(batch * 3 * 10 * 10, 7), batch, 3, 10, 10);
        Tensor y = Tensor.of(cuda, labels, batch);
        float first = TrainingFixtures.step(model, opt, x, y).toArray()[0];
        for (int s = 1; s < warmup; s++) {
            TrainingFixtures.step(model, opt, x, y);
        }
        long baseline = settledUse(cuda);
        long transfers = cuda.transfers();
        Tensor loss = null;
        for (int s = 0; s < steps; s++) {
            loss = TrainingFixtures.step(model, opt, x, y);
        }
        cuda.synchronize();
        assertEquals(transfers, cuda.transfers(), "host-device transfers during " + steps + " steps");
        // The last loss holds its step's graph, with every saved activation: let it go before measuring.
        float last = loss.toArray()[0];
        loss = null;
        long after = settledUse(cuda);
        assertTrue(after <= baseline + slack, "device memory in use grew from " + baseline + " to " + after
                + " bytes over " + steps + " steps");
        assertTrue(Float.isFinite(last) && last < first, "training on one batch should lower the loss: first "
                + first + ", last " + last);
    }

    /** Device memory in use once unreachable storages have been freed: the least of several readings. */
    private static long settledUse(CudaBackend cuda) throws InterruptedException {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 8; i++) {
            System.gc();
            Thread.sleep(50);
            cuda.synchronize();
            long[] info = cuda.memoryInfo();
            least = Math.min(least, info[1] - info[0]);
        }
        return least;
    }
}
