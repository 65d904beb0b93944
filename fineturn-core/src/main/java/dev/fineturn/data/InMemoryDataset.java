package dev.fineturn.data;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Samples held in one float array of {@code N*C*H*W} values (sample-major, each sample CHW) and
 * one label per sample. The arrays are taken over, not copied; {@link #get} returns copies.
 */
public final class InMemoryDataset implements Dataset {
    private final float[] pixels;
    private final int[] labels;
    private final int[] sampleShape;
    private final int sampleSize;
    private final int numClasses;
    private final List<String> classNames;

    public InMemoryDataset(float[] pixels, int[] labels, int[] sampleShape, int numClasses) {
        this(pixels, labels, sampleShape, numClasses, null);
    }

    public InMemoryDataset(float[] pixels, int[] labels, int[] sampleShape, List<String> classNames) {
        this(pixels, labels, sampleShape, classNames.size(), List.copyOf(classNames));
    }

    private InMemoryDataset(float[] pixels, int[] labels, int[] sampleShape, int numClasses, List<String> names) {
        this.pixels = Objects.requireNonNull(pixels);
        this.labels = Objects.requireNonNull(labels);
        if (sampleShape.length != 3 || sampleShape[0] < 1 || sampleShape[1] < 1 || sampleShape[2] < 1) {
            throw new IllegalArgumentException("dataset: sample shape " + Arrays.toString(sampleShape)
                    + " is not a positive [C, H, W]");
        }
        this.sampleShape = sampleShape.clone();
        long size = (long) sampleShape[0] * sampleShape[1] * sampleShape[2];
        if (size * labels.length != pixels.length) {
            throw new IllegalArgumentException("dataset: " + pixels.length + " pixels are not " + labels.length
                    + " samples of shape " + Arrays.toString(sampleShape) + " (" + size * labels.length + ")");
        }
        this.sampleSize = (int) size;
        if (numClasses < 1) {
            throw new IllegalArgumentException("dataset: numClasses " + numClasses + " must be at least 1");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("dataset: sample " + i + " has label " + labels[i]
                        + ", outside [0, " + numClasses + ")");
            }
        }
        this.numClasses = numClasses;
        this.classNames = names;
    }

    /** A dataset whose number of classes is one more than its largest label. */
    public static InMemoryDataset withInferredClasses(float[] pixels, int[] labels, int[] sampleShape) {
        int max = -1;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0) {
                throw new IllegalArgumentException("dataset: sample " + i + " has label " + labels[i]
                        + ", which is negative");
            }
            max = Math.max(max, labels[i]);
        }
        return new InMemoryDataset(pixels, labels, sampleShape, Math.max(max + 1, 1));
    }

    /** The same samples with named classes (their count may exceed the largest label). */
    public InMemoryDataset withClassNames(List<String> names) {
        return new InMemoryDataset(pixels, labels, sampleShape, names);
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public Sample get(int i) {
        Objects.checkIndex(i, labels.length);
        float[] p = Arrays.copyOfRange(pixels, i * sampleSize, (i + 1) * sampleSize);
        return Sample.of(p, sampleShape, labels[i]);
    }

    public int label(int i) {
        return labels[i];
    }

    @Override
    public int[] sampleShape() {
        return sampleShape.clone();
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public List<String> classNames() {
        return classNames != null ? classNames : Dataset.super.classNames();
    }
}
