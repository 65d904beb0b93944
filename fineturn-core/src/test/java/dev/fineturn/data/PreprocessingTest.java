package dev.fineturn.data;

import dev.fineturn.nn.Init;
import dev.fineturn.nn.SmallCnn;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PreprocessingTest {
    private static final float[] PIXELS = {0f, 0.25f, 0.5f, 1f, 0.1f, 0.2f, 0.3f, 0.4f, 0.9f, 0.8f, 0.7f, 0.6f};

    private static float[] apply(Preprocessing p) {
        return p.apply(Tensor.of(ReferenceBackend.get(), PIXELS, 1, 3, 2, 2)).toArray();
    }

    @Test
    void conventionsMatchTheirSourcesFormulas() {
        float[] tf = apply(Preprocessing.TF);
        float[] imagenet = apply(Preprocessing.IMAGENET);
        float[] caffe = apply(Preprocessing.CAFFE);
        float[] mean = {103.939f, 116.779f, 123.68f};
        float[] inMean = {0.485f, 0.456f, 0.406f};
        float[] inStd = {0.229f, 0.224f, 0.225f};
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 4; i++) {
                float x = PIXELS[c * 4 + i];
                assertEquals(2 * x - 1, tf[c * 4 + i], 1e-6f);
                assertEquals((x - inMean[c]) / inStd[c], imagenet[c * 4 + i], 1e-5f);
                // Keras "caffe": RGB -> BGR, 0-255 scale, minus the BGR ImageNet mean.
                float bgr = PIXELS[(2 - c) * 4 + i];
                assertEquals(bgr * 255f - mean[c], caffe[c * 4 + i], 1e-3f);
            }
        }
        Tensor x = Tensor.of(ReferenceBackend.get(), PIXELS, 1, 3, 2, 2);
        assertSame(x, Preprocessing.NONE.apply(x));
    }

    @Test
    void specsParseBackToTheSameConvention() {
        for (Preprocessing p : new Preprocessing[]{Preprocessing.NONE, Preprocessing.IMAGENET, Preprocessing.TF,
                Preprocessing.CAFFE, Preprocessing.parse("mean=0.5,0.4,0.3,std=0.2,0.25,0.3")}) {
            assertEquals(p, Preprocessing.parse(p.spec()), p.spec());
        }
        Preprocessing custom = Preprocessing.parse("mean=0.5,0.4,0.3;std=0.2,0.25,0.3");
        assertArrayEquals(new float[]{0.5f, 0.4f, 0.3f}, custom.mean());
        assertArrayEquals(new float[]{0.2f, 0.25f, 0.3f}, custom.std());
        assertEquals(Preprocessing.IMAGENET, Preprocessing.parse("torch"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Preprocessing.parse("vgg"));
        assertTrue(e.getMessage().contains("known: imagenet, tf, caffe, none"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Preprocessing.parse("mean=0.5,std=0"));
        assertThrows(IllegalArgumentException.class, () -> Preprocessing.parse("mean=0.5,0.5,std=0.2"));
    }

    @Test
    void aClassifierAppliesItsPreprocessingInEveryPass() {
        Init.useBackend(ReferenceBackend.get());
        Init.seed(3);
        SmallCnn m = new SmallCnn(3, 4);
        m.eval();
        Tensor x = Tensor.of(ReferenceBackend.get(), PIXELS, 1, 3, 2, 2);
        try (var g = GradMode.noGrad()) {
            float[] prepared = m.forward(Preprocessing.TF.apply(x)).toArray();
            m.setPreprocessing(Preprocessing.TF);
            assertArrayEquals(prepared, m.forward(x).toArray(), 0f);
            assertArrayEquals(m.head().forward(m.features(x)).toArray(), m.forward(x).toArray(), 0f);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Preprocessing.IMAGENET.apply(Tensor.zeros(ReferenceBackend.get(), 1, 2, 2, 2)));
        assertTrue(e.getMessage().contains("3 channels"), e.getMessage());
    }
}
