package dev.fineturn.models.arch;

import dev.fineturn.nn.Init;
import dev.fineturn.nn.Linear;
import dev.fineturn.ops.Losses;
import dev.fineturn.optim.ParamGroup;
import dev.fineturn.optim.Sgd;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeNetTest {
    private final Backend b = ReferenceBackend.get();

    @BeforeEach
    void onReference() {
        Init.useBackend(b);
        Init.seed(3);
    }

    @Test
    void sizesFollowTheInput() {
        LeNet mnist = LeNet.mnist(10);
        assertEquals(400, ((Linear) mnist.module("classifier.0")).inFeatures());
        assertEquals(61_706, mnist.parameterCount());
        LeNet cifar = new LeNet(3, 32, 32, 10);
        assertEquals(576, ((Linear) cifar.module("classifier.0")).inFeatures());
        assertArrayEquals(new int[]{2, 10}, cifar.forward(Tensor.randn(b, 1, 2, 3, 32, 32)).shape());
        var e = assertThrows(IllegalArgumentException.class, () -> mnist.forward(Tensor.zeros(b, 2, 1, 32, 32)));
        assertEquals("LeNet built for N x 1 x 28 x 28 inputs, got [2, 1, 32, 32]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LeNet(1, 11, 28, 10));
    }

    @Test
    void trainingStepsReduceTheLoss() {
        int n = 32;
        int classes = 4;
        SplittableRandom r = new SplittableRandom(17);
        float[][] prototypes = new float[classes][28 * 28];
        for (float[] p : prototypes) {
            for (int i = 0; i < p.length; i++) {
                p[i] = (float) r.nextGaussian();
            }
        }
        float[] images = new float[n * 28 * 28];
        int[] labels = new int[n];
        for (int s = 0; s < n; s++) {
            labels[s] = s % classes;
            for (int i = 0; i < 28 * 28; i++) {
                images[s * 28 * 28 + i] = prototypes[labels[s]][i] + (float) r.nextGaussian();
            }
        }
        Tensor x = Tensor.of(b, images, n, 1, 28, 28);
        LeNet model = LeNet.mnist(classes);
        model.train(true);
        Sgd sgd = new Sgd(List.of(new ParamGroup("all", model.trainableParameters(), 0.03, 0)), 0.9, 0, false);
        float[] losses = new float[30];
        for (int step = 0; step < losses.length; step++) {
            model.zeroGrad();
            Tensor loss = Losses.crossEntropy(model.forward(x), labels, 0f);
            loss.backward();
            sgd.step();
            losses[step] = loss.item();
            if (step > 0) {
                assertTrue(losses[step] < losses[step - 1], "loss rose at step " + step + ": " + Arrays.toString(losses));
            }
        }
        float first = losses[0];
        float last = losses[losses.length - 1];
        System.out.printf("lenet: loss %.4f -> %.4f in %d SGD steps%n", first, last, losses.length);
        assertEquals(Math.log(classes), first, 0.15, "initial loss of an untrained 4-class model");
        assertTrue(last < 0.1 * first, "loss " + first + " -> " + last);
    }
}
