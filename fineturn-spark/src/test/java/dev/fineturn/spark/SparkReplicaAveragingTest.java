package dev.fineturn.spark;

import dev.fineturn.data.ImageFolderDataset;
import dev.fineturn.data.Sample;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parameter averaging of two replicas, without Spark: weights and momentum buffers become their means. */
class SparkReplicaAveragingTest {
    @TempDir
    Path dir;

    @Test
    void averagingReplacesWeightsAndMomentumBuffersByTheirMeans() throws Exception {
        Path images = TestImages.write(dir.resolve("images"), false, 2, 4);
        TestModels.Cut m = TestModels.mobilenetCut(2);
        BackboneBroadcast b = BackboneBroadcast.of(m.model(), m.recipe(), TestModels.SIZE, "cpu");
        FineTuneConfig cfg = FineTuneConfig.defaults(2, 1, 2).withLr(0.05).withMomentum(0.9).withFrozen(3);
        ImageFolderDataset data = ImageFolderDataset.open(images, TestModels.SIZE, TestModels.SIZE);
        Replica a = new Replica(ExecutorModels.fresh(b), cfg);
        Replica c = new Replica(ExecutorModels.fresh(b), cfg);
        for (int step = 0; step < 2; step++) {
            step(a, List.of(data.get(2 * step), data.get(2 * step + 4)));
            step(c, List.of(data.get(2 * step + 1), data.get(2 * step + 5)));
        }
        float[] x = a.parametersAndState();
        float[] y = c.parametersAndState();
        assertEquals(2L * a.gradientSize(), x.length, "weights and one momentum buffer per weight");
        float[] mean = new float[x.length];
        double spread = 0;
        for (int i = 0; i < x.length; i++) {
            mean[i] = (x[i] + y[i]) / 2;
            spread = Math.max(spread, Math.abs(x[i] - y[i]));
        }
        assertTrue(spread > 1e-4, "the replicas trained on different images: " + spread);
        a.average(v -> {
            for (int i = 0; i < v.length; i++) {
                v[i] += y[i];
            }
        }, 2);
        assertArrayEquals(mean, a.parametersAndState());
        Map<String, Tensor> state = a.optimizer().stateTensors();
        float[] firstBuffer = state.values().iterator().next().toArray();
        assertArrayEquals(java.util.Arrays.copyOfRange(mean, a.gradientSize(), a.gradientSize() + firstBuffer.length),
                firstBuffer, "the optimiser holds the averaged momentum");
        assertEquals(2, a.optimizer().steps());
    }

    /** One step of {@code replica} alone on {@code batch}. */
    private static void step(Replica replica, List<Sample> batch) throws java.io.IOException {
        Sample first = batch.getFirst();
        int per = first.pixels().length;
        float[] x = new float[batch.size() * per];
        float[] labels = new float[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            System.arraycopy(batch.get(i).pixels(), 0, x, i * per, per);
            labels[i] = batch.get(i).label();
        }
        var backend = replica.model().parameters().getFirst().backend();
        replica.step(Tensor.of(backend, x, batch.size(), first.channels(), first.height(), first.width()),
                Tensor.of(backend, labels, batch.size()), v -> { }, 1);
    }
}
