package dev.fineturn.models.keras;

import dev.fineturn.io.NamedTensor;
import dev.fineturn.io.WeightFormatException;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.dataset.ContiguousDataset;
import io.jhdf.object.datatype.FloatingPoint;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * The Keras content of an HDF5 file, read with jhdf: string attributes and the per-layer weight
 * datasets. Every failure, including jhdf's unchecked exceptions on damaged files, becomes a
 * {@link WeightFormatException} naming the file.
 */
final class KerasH5File implements AutoCloseable {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    /** Compressed datasets may decode to more than the file holds, but not without bound. */
    private static final long MIN_DECODED_LIMIT = 256L << 20;
    private static final int MAX_DEPTH = 8;

    private final Path file;
    private final HdfFile hdf;
    private final long fileSize;
    private final long decodedLimit;

    private KerasH5File(Path file, HdfFile hdf, long fileSize) {
        this.file = file;
        this.hdf = hdf;
        this.fileSize = fileSize;
        this.decodedLimit = Math.max(MIN_DECODED_LIMIT, 64 * fileSize);
    }

    static KerasH5File open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new WeightFormatException(file, Files.exists(file) ? "not a regular file" : "no such file");
        }
        long size = Files.size(file);
        try {
            HdfFile hdf = size <= Integer.MAX_VALUE ? HdfFile.fromByteBuffer(map(file)) : new HdfFile(file);
            return new KerasH5File(file, hdf, size);
        } catch (RuntimeException | StackOverflowError e) {
            throw new WeightFormatException(file, hasSignature(file) ? "damaged HDF5 file: " + describe(e)
                    : "not an HDF5 file (no HDF5 signature at its start)", e);
        }
    }

    /**
     * Reading through a read-only mapping makes jhdf slice buffers instead of copying them, which
     * keeps damaged files with looping object header continuations from taking minutes.
     */
    private static ByteBuffer map(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
        }
    }

    private static boolean hasSignature(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(SIGNATURE.length), SIGNATURE);
        }
    }

    Path path() {
        return file;
    }

    Group root() {
        return hdf;
    }

    /** The group holding the layer groups: {@code /model_weights} of a saved model, else the root (save_weights). */
    Group weightsGroup() throws WeightFormatException {
        return read("the model_weights group", () -> hdf.getChild("model_weights") instanceof Group g ? g : hdf);
    }

    /** A string attribute, or null when absent. */
    String string(Node node, String name) throws WeightFormatException {
        List<String> values = strings(node, name);
        if (values == null) {
            return null;
        }
        if (values.size() != 1) {
            throw new WeightFormatException(file, "attribute '" + name + "' of " + node.getPath() + " holds "
                    + values.size() + " strings, expected one");
        }
        return values.get(0);
    }

    /**
     * A string-list attribute, or null when absent. Keras splits long lists over {@code name0},
     * {@code name1}, ... to fit HDF5's object header limit.
     */
    List<String> strings(Node node, String name) throws WeightFormatException {
        List<String> out = attributeStrings(node, name);
        if (out != null) {
            return out;
        }
        List<String> chunks = null;
        for (int i = 0; ; i++) {
            List<String> chunk = attributeStrings(node, name + i);
            if (chunk == null) {
                return chunks;
            }
            if (chunks == null) {
                chunks = new ArrayList<>();
            }
            chunks.addAll(chunk);
        }
    }

    private List<String> attributeStrings(Node node, String name) throws WeightFormatException {
        String what = "attribute '" + name + "' of " + node.getPath();
        Object data = read(what, () -> {
            Attribute a = node.getAttributes().get(name);
            return a == null ? null : a.isEmpty() ? new String[0] : a.getData();
        });
        if (data == null) {
            return null;
        }
        if (data instanceof String s) {
            return List.of(stripNuls(s));
        }
        if (data instanceof String[] array) {
            return Arrays.stream(array).map(s -> s == null ? "" : stripNuls(s)).toList();
        }
        if (data.getClass().isArray() && Array.getLength(data) == 0) {
            return List.of();
        }
        throw new WeightFormatException(file, what + " is " + data.getClass().getSimpleName() + ", not text");
    }

    /** Fixed-length HDF5 strings are padded with NULs, which h5py (and so Keras) drops. */
    private static String stripNuls(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == 0) {
            end--;
        }
        return s.substring(0, end);
    }

    /** Every layer's weights, named {@code <layer>/<weight name>} (e.g. {@code conv1/conv1/kernel:0}). */
    List<NamedTensor> weights(Group group) throws WeightFormatException {
        List<String> layers = strings(group, "layer_names");
        if (layers == null) {
            layers = read("the layer groups of " + group.getPath(), () -> group.getChildren().values().stream()
                    .filter(Node::isGroup).map(Node::getName).sorted().toList());
        }
        List<NamedTensor> out = new ArrayList<>();
        for (String layer : layers) {
            if (!(read("layer group '" + layer + "'", () -> group.getChildren().get(layer)) instanceof Group g)) {
                throw new WeightFormatException(file, "layer '" + layer + "' is listed in layer_names of "
                        + group.getPath() + " but has no group there");
            }
            List<String> names = strings(g, "weight_names");
            if (names == null) {
                collect(g, layer, 0, out);
                continue;
            }
            for (String name : names) {
                Node n = read("weight '" + layer + "/" + name + "'", () -> find(g, name));
                if (!(n instanceof Dataset d)) {
                    throw new WeightFormatException(file, "weight '" + name + "' is listed in weight_names of layer '"
                            + layer + "' but has no dataset there");
                }
                out.add(tensor(layer + "/" + name, d));
            }
        }
        return out;
    }

    private static Node find(Group g, String relativePath) {
        Node n = g;
        for (String part : relativePath.split("/")) {
            if (!(n instanceof Group parent)) {
                return null;
            }
            n = parent.getChildren().get(part);
        }
        return n;
    }

    private void collect(Group g, String prefix, int depth, List<NamedTensor> out) throws WeightFormatException {
        if (depth > MAX_DEPTH) {
            throw new WeightFormatException(file, "groups under '" + prefix + "' nest deeper than " + MAX_DEPTH);
        }
        List<Node> children = read("the children of " + g.getPath(), () -> List.copyOf(g.getChildren().values()));
        for (Node child : children) {
            String name = prefix + "/" + child.getName();
            if (child instanceof Group sub) {
                collect(sub, name, depth + 1, out);
            } else if (child instanceof Dataset d) {
                out.add(tensor(name, d));
            }
        }
    }

    private NamedTensor tensor(String name, Dataset d) throws WeightFormatException {
        String what = "weight '" + name + "'";
        int[] shape = read(what, () -> d.isEmpty() ? null : d.getDimensions());
        if (shape == null) {
            throw new WeightFormatException(file, what + " has no data");
        }
        long n = 1;
        for (int dim : shape) {
            if (dim < 0) {
                throw new WeightFormatException(file, what + " has dimension " + dim);
            }
            n *= dim;
            if (n > MAX_ELEMENTS) {
                throw new WeightFormatException(file, what + " has more than " + MAX_ELEMENTS + " values");
            }
        }
        if (!(read(what, d::getDataType) instanceof FloatingPoint)) {
            throw new WeightFormatException(file, what + " holds " + read(what, () -> d.getJavaType().getSimpleName())
                    + " values, not floating point");
        }
        long bytes = read(what, d::getSizeInBytes);
        long limit = d instanceof ContiguousDataset ? fileSize : decodedLimit;
        if (bytes > limit) {
            throw new WeightFormatException(file, what + " declares " + bytes + " bytes, more than the " + limit
                    + " this file can hold");
        }
        Object data = read(what, () -> d.isScalar() ? d.getData() : d.getDataFlat());
        float[] values = floats(data);
        if (values == null || values.length != n) {
            throw new WeightFormatException(file, what + " of shape " + Arrays.toString(shape) + " decoded to "
                    + (values == null ? data == null ? "nothing" : data.getClass().getSimpleName() : values.length
                    + " values"));
        }
        return new NamedTensor(name, shape, values);
    }

    private static float[] floats(Object data) {
        return switch (data) {
            case float[] f -> f;
            case double[] dd -> {
                float[] f = new float[dd.length];
                for (int i = 0; i < dd.length; i++) {
                    f[i] = (float) dd[i];
                }
                yield f;
            }
            case Number x -> new float[]{x.floatValue()};
            case null, default -> null;
        };
    }

    /**
     * Runs a jhdf read, turning what it throws on damaged files (unchecked exceptions, or a stack
     * overflow from recursing through a looping structure) into a checked exception.
     */
    private <T> T read(String what, Supplier<T> reader) throws WeightFormatException {
        try {
            return reader.get();
        } catch (RuntimeException | StackOverflowError e) {
            throw new WeightFormatException(file, "cannot read " + what + " (damaged HDF5 file?): " + describe(e), e);
        }
    }

    private static String describe(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": "
                + e.getMessage();
    }

    @Override
    public void close() {
        hdf.close();
    }
}
