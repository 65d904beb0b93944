package dev.fineturn.models.pytorch;

import dev.fineturn.io.NamedTensor;
import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.format.Printable;
import dev.fineturn.models.format.SafeZip;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;

/**
 * Turns tensor references into float arrays: every shape, offset and stride is checked against
 * its storage, and every storage against its zip entry, before anything is allocated; then each
 * storage is read once and every view of it is gathered.
 */
final class StorageViews {
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
    /** Views may share a storage (tied weights), but not multiply it without bound. */
    private static final long MAX_VIEWS_PER_ELEMENT = 4;

    private final SafeZip zip;
    private final String dataFolder;
    private final ByteOrder order;

    StorageViews(SafeZip zip, String dataFolder, ByteOrder order) {
        this.zip = zip;
        this.dataFolder = dataFolder;
        this.order = order;
    }

    List<NamedTensor> read(LinkedHashMap<String, TensorRef> tensors) throws IOException {
        Map<StorageRef, ZipEntry> entries = new LinkedHashMap<>();
        Map<StorageRef, List<String>> users = new LinkedHashMap<>();
        long requested = 0;
        long stored = 0;
        for (Map.Entry<String, TensorRef> e : tensors.entrySet()) {
            requested += checkView(e.getKey(), e.getValue());
            StorageRef s = e.getValue().storage();
            if (!entries.containsKey(s)) {
                entries.put(s, checkStorage(s));
                stored += s.numel();
            }
            users.computeIfAbsent(s, k -> new ArrayList<>()).add(e.getKey());
        }
        if (requested > MAX_VIEWS_PER_ELEMENT * stored + 1024) {
            throw new WeightFormatException(zip.file(), "the tensors ask for " + requested + " values from storages that hold "
                    + stored + "; refusing to multiply the stored data");
        }
        Map<String, NamedTensor> out = new LinkedHashMap<>();
        for (Map.Entry<StorageRef, List<String>> s : users.entrySet()) {
            ZipEntry entry = entries.get(s.getKey());
            ByteBuffer bytes = ByteBuffer.wrap(zip.readAll(entry, MAX_ARRAY)).order(order);
            for (String name : s.getValue()) {
                TensorRef t = tensors.get(name);
                out.put(name, new NamedTensor(name, intShape(t.size()), gather(bytes, t)));
            }
        }
        List<NamedTensor> ordered = new ArrayList<>();
        for (String name : tensors.keySet()) {
            ordered.add(out.get(name));
        }
        return ordered;
    }

    /** The view's element count, after checking that it stays inside its storage. */
    private long checkView(String name, TensorRef t) throws WeightFormatException {
        long numel = 1;
        long last = t.offset();
        try {
            for (int d = 0; d < t.size().length; d++) {
                if (t.size()[d] > MAX_ARRAY) {
                    throw problem(name, t, "has a dimension of " + t.size()[d]);
                }
                numel = Math.multiplyExact(numel, t.size()[d]);
            }
            if (numel == 0) {
                return 0;
            }
            for (int d = 0; d < t.size().length; d++) {
                last = Math.addExact(last, Math.multiplyExact(t.size()[d] - 1, t.stride()[d]));
            }
        } catch (ArithmeticException e) {
            throw problem(name, t, "overflows a 64-bit element count");
        }
        if (numel > MAX_ARRAY) {
            throw problem(name, t, "has " + numel + " elements, more than a Java array holds");
        }
        if (last >= t.storage().numel()) {
            throw problem(name, t, "reaches element " + last + " of storage '" + Printable.text(t.storage().key())
                    + "', which holds "
                    + t.storage().numel());
        }
        if (numel > t.storage().numel()) {
            throw problem(name, t, "has " + numel + " elements but its storage holds only " + t.storage().numel()
                    + " (an expanded view); save tensor.contiguous() instead");
        }
        return numel;
    }

    private WeightFormatException problem(String name, TensorRef t, String problem) {
        return new WeightFormatException(zip.file(), "tensor '" + Printable.text(name) + "' " + Arrays.toString(t.size())
                + " (offset " + t.offset() + ", strides " + Arrays.toString(t.stride()) + ") " + problem);
    }

    private ZipEntry checkStorage(StorageRef s) throws WeightFormatException {
        String name = dataFolder + s.key();
        ZipEntry entry = zip.entry(name);
        if (entry == null) {
            throw new WeightFormatException(zip.file(), "storage '" + Printable.text(s.key()) + "' has no zip entry '"
                    + Printable.text(name) + "'");
        }
        long size = zip.checkedSize(entry);
        long needed;
        try {
            needed = Math.multiplyExact(s.numel(), s.type().bytes());
        } catch (ArithmeticException e) {
            needed = Long.MAX_VALUE;
        }
        if (needed != size) {
            throw new WeightFormatException(zip.file(), "storage '" + Printable.text(s.key()) + "' declares " + s.numel() + " "
                    + s.type() + " elements (" + needed + " bytes) but its entry holds " + size + " bytes");
        }
        return entry;
    }

    private static int[] intShape(long[] size) {
        int[] shape = new int[size.length];
        for (int i = 0; i < size.length; i++) {
            shape[i] = (int) size[i];
        }
        return shape;
    }

    /** Reads a checked view: row-major over its size, stepping through the storage by its strides. */
    private static float[] gather(ByteBuffer storage, TensorRef t) {
        long[] size = t.size();
        long[] stride = t.stride();
        int rank = size.length;
        long numel = 1;
        for (long s : size) {
            numel *= s;
        }
        float[] out = new float[(int) numel];
        if (numel == 0) {
            return out;
        }
        int bytes = t.storage().type().bytes();
        int[] index = new int[rank];
        long element = t.offset();
        for (int i = 0; i < out.length; i++) {
            out[i] = t.storage().type().read(storage, (int) (element * bytes));
            for (int d = rank - 1; d >= 0; d--) {
                index[d]++;
                element += stride[d];
                if (index[d] < size[d]) {
                    break;
                }
                element -= stride[d] * size[d];
                index[d] = 0;
            }
        }
        return out;
    }
}
