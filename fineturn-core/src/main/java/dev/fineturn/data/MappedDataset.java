package dev.fineturn.data;

import java.util.List;
import java.util.Objects;

/**
 * Another dataset's samples passed through a transform when read. A random transform draws from a
 * stream seeded by the sample's index, so a sample reads the same every time.
 */
public final class MappedDataset implements Dataset {
    private final Dataset parent;
    private final Transform transform;
    private volatile int[] shape;

    public MappedDataset(Dataset parent, Transform transform) {
        this.parent = Objects.requireNonNull(parent, "parent");
        this.transform = Objects.requireNonNull(transform, "transform");
    }

    public Dataset parent() {
        return parent;
    }

    public Transform transform() {
        return transform;
    }

    @Override
    public int size() {
        return parent.size();
    }

    @Override
    public Sample get(int i) {
        return transform.apply(parent.get(i), Seeds.random(Seeds.MAP, i));
    }

    /** The transformed shape, from the first sample (the parent's shape when there is none). */
    @Override
    public int[] sampleShape() {
        int[] s = shape;
        if (s == null) {
            s = parent.size() == 0 ? parent.sampleShape() : get(0).shape();
            shape = s;
        }
        return s.clone();
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
