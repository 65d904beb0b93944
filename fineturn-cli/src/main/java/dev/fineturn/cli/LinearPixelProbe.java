package dev.fineturn.cli;

import dev.fineturn.data.Dataset;
import dev.fineturn.data.Sample;
import dev.fineturn.nn.Init;
import dev.fineturn.nn.Linear;
import dev.fineturn.ops.Losses;
import dev.fineturn.optim.AdamW;
import dev.fineturn.optim.Optimizer;
import dev.fineturn.optim.ParamGroup;
import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A linear softmax classifier on the raw pixels: each image is box-averaged down to at most
 * {@value #MAX_SIDE} x {@value #MAX_SIDE} per channel, flattened and standardised with the training
 * part's per-pixel mean and standard deviation, then a zero-initialised {@link Linear} layer is
 * trained with cross-entropy and AdamW in mini-batches for a fixed budget of steps.
 */
final class LinearPixelProbe implements PixelBaseline {
    static final int MAX_SIDE = 32;
    private static final int BATCH = 256;
    private static final int MIN_EPOCHS = 20;
    private static final int MIN_STEPS = 300;
    private static final double LR = 1e-2;
    private static final double WEIGHT_DECAY = 1e-3;

    @Override
    public double heldOutAccuracy(Dataset train, Dataset validation, long seed) {
        int classes = Math.max(train.numClasses(), validation.numClasses());
        int[] y = new int[train.size()];
        int[] yv = new int[validation.size()];
        float[][] x = pixels(train, y);
        float[][] v = pixels(validation, yv);
        int d = x[0].length;
        if (v.length > 0 && v[0].length != d) {
            throw new IllegalArgumentException("pixel baseline: training images give " + d
                    + " values but validation images " + v[0].length);
        }
        float[] mean = new float[d];
        float[] scale = new float[d];
        standardiser(x, mean, scale);
        Linear layer = new Linear(d, classes, true, Init.Scheme.XAVIER);
        for (Tensor p : layer.parameters()) {
            p.copyFrom(Tensor.zeros(p.backend(), p.shape()));
        }
        Backend backend = layer.parameters().get(0).backend();
        Optimizer opt = new AdamW(List.of(new ParamGroup("probe", layer.parameters(), LR, WEIGHT_DECAY)));
        int n = x.length;
        int batch = Math.min(BATCH, n);
        int batches = (n + batch - 1) / batch;
        int epochs = Math.max(MIN_EPOCHS, (MIN_STEPS + batches - 1) / batches);
        SplittableRandom random = new SplittableRandom(seed);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        layer.train(true);
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int start = 0; start < n; start += batch) {
                int m = Math.min(batch, n - start);
                float[] xb = new float[m * d];
                int[] yb = new int[m];
                for (int r = 0; r < m; r++) {
                    standardise(x[order[start + r]], mean, scale, xb, r * d);
                    yb[r] = y[order[start + r]];
                }
                Tensor loss = Losses.crossEntropy(layer.forward(Tensor.of(backend, xb, m, d)), yb, 0f);
                loss.backward();
                opt.step();
                opt.zeroGrad();
            }
        }
        layer.eval();
        long correct = 0;
        try (var g = GradMode.noGrad()) {
            for (int start = 0; start < v.length; start += BATCH) {
                int m = Math.min(BATCH, v.length - start);
                float[] xb = new float[m * d];
                for (int r = 0; r < m; r++) {
                    standardise(v[start + r], mean, scale, xb, r * d);
                }
                float[] logits = layer.forward(Tensor.of(backend, xb, m, d)).toArray();
                for (int r = 0; r < m; r++) {
                    int best = 0;
                    for (int c = 1; c < classes; c++) {
                        if (logits[r * classes + c] > logits[r * classes + best]) {
                            best = c;
                        }
                    }
                    correct += best == yv[start + r] ? 1 : 0;
                }
            }
        }
        return v.length == 0 ? Double.NaN : (double) correct / v.length;
    }

    /** Every sample's pixels, box-averaged to at most MAX_SIDE on each side; the labels go to {@code labels}. */
    static float[][] pixels(Dataset data, int[] labels) {
        float[][] out = new float[data.size()][];
        for (int i = 0; i < data.size(); i++) {
            Sample s = data.get(i);
            out[i] = downsample(s);
            labels[i] = s.label();
        }
        return out;
    }

    /** Averages each channel over equal-as-possible boxes so that neither side exceeds MAX_SIDE. */
    static float[] downsample(Sample s) {
        int c = s.channels();
        int h = s.height();
        int w = s.width();
        int th = Math.min(h, MAX_SIDE);
        int tw = Math.min(w, MAX_SIDE);
        if (th == h && tw == w) {
            return s.pixels();
        }
        float[] p = s.pixels();
        float[] out = new float[c * th * tw];
        for (int ch = 0; ch < c; ch++) {
            for (int oy = 0; oy < th; oy++) {
                int y0 = (int) ((long) oy * h / th);
                int y1 = (int) ((long) (oy + 1) * h / th);
                for (int ox = 0; ox < tw; ox++) {
                    int x0 = (int) ((long) ox * w / tw);
                    int x1 = (int) ((long) (ox + 1) * w / tw);
                    double sum = 0;
                    for (int yy = y0; yy < y1; yy++) {
                        for (int xx = x0; xx < x1; xx++) {
                            sum += p[(ch * h + yy) * w + xx];
                        }
                    }
                    out[(ch * th + oy) * tw + ox] = (float) (sum / ((y1 - y0) * (x1 - x0)));
                }
            }
        }
        return out;
    }

    private static void standardiser(float[][] x, float[] mean, float[] scale) {
        int d = mean.length;
        double[] sum = new double[d];
        double[] sq = new double[d];
        for (float[] row : x) {
            for (int j = 0; j < d; j++) {
                sum[j] += row[j];
                sq[j] += (double) row[j] * row[j];
            }
        }
        for (int j = 0; j < d; j++) {
            double m = sum[j] / x.length;
            double var = Math.max(0, sq[j] / x.length - m * m);
            mean[j] = (float) m;
            scale[j] = var > 1e-12 ? (float) (1 / Math.sqrt(var)) : 1f;
        }
    }

    private static void standardise(float[] row, float[] mean, float[] scale, float[] into, int offset) {
        for (int j = 0; j < row.length; j++) {
            into[offset + j] = (row[j] - mean[j]) * scale[j];
        }
    }
}
