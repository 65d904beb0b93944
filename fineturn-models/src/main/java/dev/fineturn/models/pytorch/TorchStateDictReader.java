package dev.fineturn.models.pytorch;

import dev.fineturn.io.NamedTensor;
import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.format.Printable;
import dev.fineturn.models.format.SafeZip;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.zip.ZipEntry;

/**
 * Reads PyTorch {@code .pt}/{@code .pth} state dicts in the zip format {@code torch.save} writes
 * since torch 1.6: {@code <folder>/data.pkl} (a pickle), {@code <folder>/data/<key>} (the raw
 * storages) and {@code <folder>/version}. The pickle is read by a restricted unpickler that never
 * runs code, and the archive is read in place. Every dtype becomes float32.
 */
public final class TorchStateDictReader {
    private static final long MAX_PICKLE = 256L << 20;

    private TorchStateDictReader() {
    }

    /** The tensors of the checkpoint's state dict, found automatically (see {@link #read(Path, String)}). */
    public static List<NamedTensor> read(Path file) throws IOException {
        return read(file, null);
    }

    /**
     * The tensors of one dict in the checkpoint, in its order. With {@code key} null the dict is
     * the top level when it holds tensors, else a nested one such as {@code "state_dict"} or
     * {@code "model"}; otherwise {@code key} names the top-level entry to read.
     */
    public static List<NamedTensor> read(Path file, String key) throws IOException {
        rejectLegacyPickle(file);
        try (SafeZip zip = SafeZip.open(file)) {
            String folder = archiveFolder(zip);
            ByteOrder order = byteOrder(zip, folder);
            byte[] pickle = zip.readAll(zip.entry(folder + "data.pkl"), MAX_PICKLE);
            Object root = new RestrictedUnpickler(file, Printable.text(folder + "data.pkl"), pickle, new TorchObjects())
                    .load();
            LinkedHashMap<String, TensorRef> tensors = StateDictLocator.locate(file, root, key);
            return new StorageViews(zip, folder + "data/", order).read(tensors);
        }
    }

    private static void rejectLegacyPickle(Path file) throws IOException {
        int first;
        try (InputStream in = Files.newInputStream(file)) {
            first = in.read();
        }
        if (first == 0x80) {
            throw new WeightFormatException(file, "this is a bare pickle in the legacy PyTorch format (saved by torch "
                    + "older than 1.6, or with _use_new_zipfile_serialization=False), which fineturn does not read; "
                    + "re-save it with a newer torch: torch.save(torch.load(path), new_path)");
        }
    }

    /** The folder holding data.pkl ("archive/" by default; torch names it after the file). */
    private static String archiveFolder(SafeZip zip) throws WeightFormatException {
        String found = null;
        for (ZipEntry e : zip.entries()) {
            String name = e.getName();
            int slash = name.indexOf('/');
            boolean topLevelPickle = name.equals("data.pkl")
                    || (slash > 0 && name.indexOf('/', slash + 1) < 0 && name.endsWith("/data.pkl"));
            if (topLevelPickle) {
                if (found != null) {
                    throw new WeightFormatException(zip.file(), "the archive has several data.pkl entries");
                }
                found = name.substring(0, name.length() - "data.pkl".length());
            }
        }
        if (found == null) {
            throw new WeightFormatException(zip.file(), "a zip archive without data.pkl: not a torch.save checkpoint");
        }
        for (ZipEntry e : zip.entries()) {
            if (e.getName().equals(found + "constants.pkl") || e.getName().startsWith(found + "code/")) {
                throw new WeightFormatException(zip.file(), "a TorchScript archive (torch.jit.save); save the weights "
                        + "with torch.save(model.state_dict(), path) instead");
            }
        }
        return found;
    }

    private static ByteOrder byteOrder(SafeZip zip, String folder) throws IOException {
        ZipEntry e = zip.entry(folder + "byteorder");
        if (e == null) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        String order = new String(zip.readAll(e, 16), StandardCharsets.US_ASCII).strip();
        return switch (order) {
            case "little" -> ByteOrder.LITTLE_ENDIAN;
            case "big" -> ByteOrder.BIG_ENDIAN;
            default -> throw zip.problem(e, "names an unknown byte order '" + Printable.text(order) + "'");
        };
    }
}
