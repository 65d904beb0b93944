package dev.fineturn.spark;

import java.util.List;

/**
 * A Parquet folder of features ({@code id string, label int, features array<float>}) and what
 * identifies them.
 *
 * @param path       the Parquet folder
 * @param key        the feature cache key, equal to the local {@code FeatureCache}'s for the same data
 * @param rows       how many images
 * @param featureSize the length of each feature vector
 * @param classes    the class names; label i is classes.get(i)
 * @param extracted  false when the features were taken from an earlier run (the Parquet folder or a
 *                   local cache file with the same key) instead of running the backbone
 */
public record FeatureTable(String path, String key, long rows, int featureSize, List<String> classes,
                           boolean extracted) {
}
