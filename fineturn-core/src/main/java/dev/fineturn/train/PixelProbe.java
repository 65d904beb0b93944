package dev.fineturn.train;

import dev.fineturn.data.Dataset;
import dev.fineturn.data.Resize;
import dev.fineturn.data.Sample;
import dev.fineturn.train.linear.LinearProbe;
import dev.fineturn.train.linear.LinearProbeResult;

/**
 * The baseline every transfer result is measured against: the same convex probe the features
 * strategy uses (standardised inputs, multinomial logistic regression, L2 by cross-validation),
 * on raw pixels instead of a pretrained network's features. Images are resized to at most
 * {@code side x side} so the probe stays cheap; a pretrained backbone that does not beat this has
 * not transferred.
 */
public final class PixelProbe {
    /** Default largest side of the resized images. */
    public static final int SIDE = 16;

    private PixelProbe() {
    }

    /** Fits on {@code train}, scores {@code test}. */
    public static ClassificationMetrics evaluate(Dataset train, Dataset test, int side, int folds, long seed) {
        int classes = train.numClasses();
        int[] labels = labels(train);
        Pixels p = pixels(train, side);
        LinearProbeResult r = new LinearProbe().withFolds(folds).withSeed(seed)
                .withThreads(Runtime.getRuntime().availableProcessors()).fit(p.values, p.dim, labels, classes);
        Pixels q = pixels(test, side);
        float[] logits = new float[test.size() * classes];
        double loss = 0;
        int[] testLabels = labels(test);
        for (int i = 0; i < test.size(); i++) {
            double[] z = r.logits(q.values, i * q.dim);
            double max = Double.NEGATIVE_INFINITY;
            for (double v : z) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                logits[i * classes + c] = (float) z[c];
                sum += Math.exp(z[c] - max);
            }
            loss += max + Math.log(sum) - z[testLabels[i]];
        }
        ClassificationMetrics.Accumulator acc = new ClassificationMetrics.Accumulator(classes);
        acc.add(logits, testLabels, test.size() == 0 ? 0 : loss / test.size());
        return acc.result();
    }

    private record Pixels(float[] values, int dim) {
    }

    private static Pixels pixels(Dataset data, int side) {
        int[] shape = data.sampleShape();
        int h = Math.min(side, shape[1]);
        int w = Math.min(side, shape[2]);
        int dim = shape[0] * h * w;
        float[] out = new float[data.size() * dim];
        for (int i = 0; i < data.size(); i++) {
            Sample s = data.get(i);
            float[] v = s.height() == h && s.width() == w ? s.pixels()
                    : Resize.bilinear(s.pixels(), s.channels(), s.height(), s.width(), h, w);
            System.arraycopy(v, 0, out, i * dim, dim);
        }
        return new Pixels(out, dim);
    }

    private static int[] labels(Dataset data) {
        int[] out = new int[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.get(i).label();
        }
        return out;
    }
}
