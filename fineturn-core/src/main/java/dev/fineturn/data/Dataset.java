package dev.fineturn.data;

import java.util.ArrayList;
import java.util.List;

/** A fixed-size, indexable collection of labelled images of one shape. Reads must be thread-safe. */
public interface Dataset {
    int size();

    /** Sample {@code i}, {@code 0 <= i < size()}. */
    Sample get(int i);

    /** {@code [C, H, W]} of every sample. */
    int[] sampleShape();

    int numClasses();

    /** One name per class; by default the class indices as text. */
    default List<String> classNames() {
        List<String> names = new ArrayList<>(numClasses());
        for (int c = 0; c < numClasses(); c++) {
            names.add(Integer.toString(c));
        }
        return names;
    }

    /**
     * This dataset with {@code transform} applied to every sample when it is read; a view, nothing
     * is copied. A random transform gets a stream seeded by the sample index, so reads repeat.
     */
    default Dataset map(Transform transform) {
        return new MappedDataset(this, transform);
    }

    /** The samples at {@code indices}, in that order; a view, nothing is copied. */
    default Subset subset(int[] indices) {
        return new Subset(this, indices);
    }
}
