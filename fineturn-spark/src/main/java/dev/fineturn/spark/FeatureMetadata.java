package dev.fineturn.spark;

import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;

import java.util.Arrays;
import java.util.List;

/**
 * What identifies a feature table, stored as the metadata of its {@code features} column, which
 * Spark writes into every Parquet file's footer (the {@code org.apache.spark.sql.parquet.row.metadata}
 * entry) and reads back with the schema.
 */
record FeatureMetadata(String key, String backboneHash, String cut, String preprocessing, int inputSize,
                       List<String> classes) {
    static final String KEY = "fineturn.key";
    static final String BACKBONE = "fineturn.backbone";
    static final String CUT = "fineturn.cut";
    static final String PREPROCESSING = "fineturn.preprocessing";
    static final String INPUT_SIZE = "fineturn.inputSize";
    static final String CLASSES = "fineturn.classes";

    Metadata toMetadata() {
        return new MetadataBuilder().putString(KEY, key).putString(BACKBONE, backboneHash).putString(CUT, cut)
                .putString(PREPROCESSING, preprocessing).putLong(INPUT_SIZE, inputSize)
                .putStringArray(CLASSES, classes.toArray(String[]::new)).build();
    }

    /** The metadata of a feature column, or null when it holds none of fineturn's. */
    static FeatureMetadata from(Metadata m) {
        if (!m.contains(KEY)) {
            return null;
        }
        return new FeatureMetadata(m.getString(KEY), m.getString(BACKBONE), m.getString(CUT),
                m.getString(PREPROCESSING), (int) m.getLong(INPUT_SIZE), Arrays.asList(m.getStringArray(CLASSES)));
    }
}
