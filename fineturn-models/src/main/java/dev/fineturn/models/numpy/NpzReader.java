package dev.fineturn.models.numpy;

import dev.fineturn.io.NamedTensor;
import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.format.Printable;
import dev.fineturn.models.format.SafeZip;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;

/**
 * Reads NumPy {@code .npz} archives ({@code np.savez}, stored, or {@code np.savez_compressed},
 * deflated): every {@code .npy} entry, named by its path without the extension, in archive order.
 * Entries that are not arrays are skipped.
 */
public final class NpzReader {
    private NpzReader() {
    }

    public static List<NamedTensor> read(Path file) throws IOException {
        List<NamedTensor> out = new ArrayList<>();
        try (SafeZip zip = SafeZip.open(file)) {
            for (ZipEntry e : zip.entries()) {
                if (e.isDirectory() || !e.getName().endsWith(".npy")) {
                    continue;
                }
                String name = e.getName().substring(0, e.getName().length() - ".npy".length());
                long size = zip.checkedSize(e);
                try (InputStream in = zip.open(e)) {
                    out.add(NpyReader.read(in, size, name, file, "zip entry '" + Printable.text(e.getName()) + "': "));
                }
            }
        }
        if (out.isEmpty()) {
            throw new WeightFormatException(file, "the archive holds no .npy arrays");
        }
        return out;
    }
}
