package dev.fineturn.train;

import dev.fineturn.data.Batch;
import dev.fineturn.data.DataLoader;
import dev.fineturn.data.Dataset;
import dev.fineturn.data.InMemoryDataset;
import dev.fineturn.data.Sample;
import dev.fineturn.data.Subset;
import dev.fineturn.data.Transform;
import dev.fineturn.io.NamedTensor;
import dev.fineturn.io.Safetensors;
import dev.fineturn.nn.Classifier;
import dev.fineturn.tensor.GradMode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.SoftReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The frozen backbone's feature vectors for a dataset, computed once and cached in memory (and on
 * disk when a folder is given), keyed by a hash of the backbone's weights, the data, the transform
 * and the model's input preprocessing. A subset's features are taken from its parent's, so k-fold
 * cross-validation and validation splits reuse one extraction.
 */
public final class FeatureCache {
    private static final Map<String, SoftReference<InMemoryDataset>> MEMORY = new ConcurrentHashMap<>();
    private static final AtomicLong EXTRACTIONS = new AtomicLong();

    private FeatureCache() {
    }

    /** Drops the in-memory entries (the disk cache stays); for tests and memory pressure. */
    public static void clearMemory() {
        MEMORY.clear();
    }

    /** How many times a backbone has been run over a dataset in this JVM. */
    public static long extractions() {
        return EXTRACTIONS.get();
    }

    public static InMemoryDataset features(Classifier model, Dataset data, int batchSize, Transform transform,
                                           Path diskDir, TrainingListener listener) {
        if (data instanceof Subset s) {
            InMemoryDataset parent = features(model, s.parent(), batchSize, transform, diskDir, listener);
            return select(parent, s.indices());
        }
        String key = key(model, data, transform);
        SoftReference<InMemoryDataset> ref = MEMORY.get(key);
        InMemoryDataset hit = ref == null ? null : ref.get();
        if (hit != null) {
            return hit;
        }
        Path file = diskDir == null ? null : file(diskDir, key);
        InMemoryDataset result;
        try {
            if (file != null && Files.isRegularFile(file)) {
                result = readDisk(file, data.numClasses());
            } else {
                result = extract(model, data, batchSize, transform, listener);
                if (file != null) {
                    Files.createDirectories(diskDir);
                    int[] labels = new int[result.size()];
                    for (int i = 0; i < labels.length; i++) {
                        labels[i] = result.label(i);
                    }
                    write(file, pixels(result), labels, result.sampleShape()[0], key);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("feature cache: " + e.getMessage(), e);
        }
        MEMORY.put(key, new SoftReference<>(result));
        return result;
    }

    private static float[] pixels(InMemoryDataset d) {
        int f = d.sampleShape()[0];
        float[] out = new float[d.size() * f];
        for (int i = 0; i < d.size(); i++) {
            System.arraycopy(d.get(i).pixels(), 0, out, i * f, f);
        }
        return out;
    }

    private static InMemoryDataset readDisk(Path file, int numClasses) throws IOException {
        Map<String, NamedTensor> t = Safetensors.read(file).byName();
        NamedTensor f = t.get("features");
        NamedTensor l = t.get("labels");
        if (f == null || l == null || f.shape().length != 2 || l.data().length != f.shape()[0]) {
            throw new IOException(file + ": not a feature cache file");
        }
        int[] labels = new int[l.data().length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (int) l.data()[i];
        }
        return new InMemoryDataset(f.data(), labels, new int[]{f.shape()[1], 1, 1}, numClasses);
    }

    private static InMemoryDataset extract(Classifier model, Dataset data, int batchSize, Transform transform,
                                           TrainingListener listener) {
        EXTRACTIONS.incrementAndGet();
        var backend = model.parameters().get(0).backend();
        int f = model.featureSize();
        float[] out = new float[data.size() * f];
        int[] labels = new int[data.size()];
        boolean wasTraining = model.isTraining();
        model.eval();
        DataLoader loader = DataLoader.builder(data).batchSize(batchSize).shuffle(false).backend(backend)
                .transform(transform).build();
        int done = 0;
        try (var g = GradMode.noGrad()) {
            for (Batch b : loader.epoch(0)) {
                float[] v = model.features(b.images()).toArray();
                System.arraycopy(v, 0, out, done * f, v.length);
                System.arraycopy(b.labelArray(), 0, labels, done, b.size());
                done += b.size();
                listener.onFeatures(done, data.size());
            }
        } finally {
            model.train(wasTraining);
        }
        return new InMemoryDataset(out, labels, new int[]{f, 1, 1}, data.numClasses());
    }

    private static InMemoryDataset select(InMemoryDataset parent, int[] indices) {
        int f = parent.sampleShape()[0];
        float[] out = new float[indices.length * f];
        int[] labels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            Sample s = parent.get(indices[i]);
            System.arraycopy(s.pixels(), 0, out, i * f, f);
            labels[i] = s.label();
        }
        return new InMemoryDataset(out, labels, parent.sampleShape(), parent.numClasses());
    }

    /** The cache key of {@code data}'s features under {@code model}'s backbone; see {@link FeatureKey}. */
    public static String key(Classifier model, Dataset data, Transform transform) {
        java.util.List<byte[]> samples = new java.util.ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            samples.add(FeatureKey.sample(data.get(i)));
        }
        return FeatureKey.combine(FeatureKey.backbone(model), data.size(), data.numClasses(), samples,
                String.valueOf(transform), model.preprocessing().spec());
    }

    /** The file that holds the features of {@code key} in a cache folder. */
    public static Path file(Path diskDir, String key) {
        return diskDir.resolve("features-" + key + ".safetensors");
    }

    /** Writes a cache file: {@code features [n, f]}, {@code labels [n]}, the key in the metadata. */
    public static void write(Path file, float[] features, int[] labels, int featureSize, String key)
            throws IOException {
        float[] l = new float[labels.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = labels[i];
        }
        Safetensors.write(file, List.of(
                new NamedTensor("features", new int[]{labels.length, featureSize}, features),
                new NamedTensor("labels", new int[]{labels.length}, l)), Map.of("key", key));
    }

    /** Reads a cache file written by {@link #write} or by a run with a disk cache. */
    public static InMemoryDataset read(Path file, int numClasses) throws IOException {
        return readDisk(file, numClasses);
    }
}
