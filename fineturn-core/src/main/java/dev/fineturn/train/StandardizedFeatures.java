package dev.fineturn.train;

import dev.fineturn.data.InMemoryDataset;
import dev.fineturn.nn.Linear;
import dev.fineturn.tensor.GradMode;
import dev.fineturn.tensor.Tensor;
import dev.fineturn.train.linear.Standardizer;

/**
 * Cached features standardised for a head trained with SGD (an {@link dev.fineturn.nn.MlpHead}),
 * and the standardisation folded into its first layer afterwards, so the saved model takes raw
 * features: {@code W' = W / std} per input, {@code b' = b - W' . mean}.
 */
public final class StandardizedFeatures {
    private final Standardizer standardizer;

    StandardizedFeatures(InMemoryDataset train) {
        this(Standardizer.fit(rows(train), train.sampleShape()[0]));
    }

    /** From moments computed elsewhere (a cluster's aggregation). */
    public StandardizedFeatures(Standardizer standardizer) {
        this.standardizer = standardizer;
    }

    public Standardizer standardizer() {
        return standardizer;
    }

    public InMemoryDataset apply(InMemoryDataset d) {
        if (d == null) {
            return null;
        }
        int[] labels = new int[d.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = d.label(i);
        }
        return new InMemoryDataset(standardizer.apply(rows(d)), labels, d.sampleShape(), d.numClasses());
    }

    /** Makes {@code first}, trained on standardised features, take raw ones. */
    public void foldInto(Linear first) {
        Tensor w = first.namedParameters().get("weight");
        Tensor b = first.namedParameters().get("bias");
        int out = first.outFeatures();
        int in = first.inFeatures();
        float[] wv = w.toArray();
        float[] bv = b == null ? new float[out] : b.toArray();
        double[] mean = standardizer.mean();
        double[] std = standardizer.std();
        for (int o = 0; o < out; o++) {
            double shift = 0;
            for (int i = 0; i < in; i++) {
                double scaled = wv[o * in + i] / std[i];
                wv[o * in + i] = (float) scaled;
                shift += scaled * mean[i];
            }
            bv[o] = (float) (bv[o] - shift);
        }
        try (var g = GradMode.noGrad()) {
            w.copyFrom(Tensor.of(w.backend(), wv, out, in));
            if (b != null) {
                b.copyFrom(Tensor.of(b.backend(), bv, out));
            }
        }
    }

    private static float[] rows(InMemoryDataset d) {
        int f = d.sampleShape()[0];
        float[] x = new float[d.size() * f];
        for (int i = 0; i < d.size(); i++) {
            System.arraycopy(d.get(i).pixels(), 0, x, i * f, f);
        }
        return x;
    }
}
