package dev.fineturn.data;

import java.util.List;
import java.util.Objects;

/** Selected samples of another dataset, by index, in the given order. */
public final class Subset implements Dataset {
    private final Dataset parent;
    private final int[] indices;

    public Subset(Dataset parent, int[] indices) {
        this.parent = Objects.requireNonNull(parent);
        this.indices = indices.clone();
        int n = parent.size();
        for (int i = 0; i < this.indices.length; i++) {
            if (this.indices[i] < 0 || this.indices[i] >= n) {
                throw new IndexOutOfBoundsException("subset: index " + this.indices[i] + " at position " + i
                        + " is outside the dataset of " + n + " samples");
            }
        }
    }

    public Dataset parent() {
        return parent;
    }

    /** The parent's index of each sample, in order. */
    public int[] indices() {
        return indices.clone();
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public Sample get(int i) {
        Objects.checkIndex(i, indices.length);
        return parent.get(indices[i]);
    }

    @Override
    public int[] sampleShape() {
        return parent.sampleShape();
    }

    @Override
    public int numClasses() {
        return parent.numClasses();
    }

    @Override
    public List<String> classNames() {
        return parent.classNames();
    }
}
