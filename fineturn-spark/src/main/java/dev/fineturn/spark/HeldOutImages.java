package dev.fineturn.spark;

import dev.fineturn.data.Dataset;
import dev.fineturn.data.Sample;
import org.apache.spark.sql.Row;

import java.util.List;
import java.util.Objects;

/**
 * Held-out image rows {@code path, label, content} on the driver as a dataset: the files' bytes are
 * kept as they came, and each read decodes one as a local image folder does (RGB in [0, 1], resized),
 * so the driver holds compressed images, not pixels.
 */
final class HeldOutImages implements Dataset {
    private final List<Row> rows;
    private final List<String> classes;
    private final int size;

    HeldOutImages(List<Row> rows, List<String> classes, int size) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("validation: no held-out images");
        }
        this.rows = List.copyOf(rows);
        this.classes = List.copyOf(classes);
        this.size = size;
    }

    @Override
    public int size() {
        return rows.size();
    }

    @Override
    public Sample get(int i) {
        Objects.checkIndex(i, rows.size());
        Row r = rows.get(i);
        return ImageRows.decode((byte[]) r.get(2), r.getString(0), classes.indexOf(r.getString(1)), size);
    }

    @Override
    public int[] sampleShape() {
        return new int[]{3, size, size};
    }

    @Override
    public int numClasses() {
        return classes.size();
    }

    @Override
    public List<String> classNames() {
        return classes;
    }
}
