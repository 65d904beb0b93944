package dev.fineturn.models.format;

import dev.fineturn.io.WeightFormatException;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A zip archive opened for reading weights in place: nothing is extracted to disk, entry names
 * that could escape a folder ({@code ..}, a leading slash) are refused when the archive is opened,
 * and an entry's declared size is checked against the archive before any buffer is allocated.
 * Errors are {@link WeightFormatException}s that name the file and the entry.
 */
public final class SafeZip implements Closeable {
    /** Deflate cannot expand data by more than about 1032:1; a larger declared size is a lie. */
    private static final long MAX_DEFLATE_RATIO = 1100;
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final Path file;
    private final ZipFile zip;
    private final List<ZipEntry> entries;
    private final Map<String, ZipEntry> byName = new HashMap<>();
    private final long fileSize;

    private SafeZip(Path file, ZipFile zip, List<ZipEntry> entries, long fileSize) {
        this.file = file;
        this.zip = zip;
        this.entries = entries;
        this.fileSize = fileSize;
        for (ZipEntry e : entries) {
            byName.putIfAbsent(e.getName(), e);
        }
    }

    public static SafeZip open(Path file) throws IOException {
        long fileSize = Files.size(file);
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new WeightFormatException(file, "not a readable zip archive (" + Printable.cause(e) + ")", e);
        }
        try {
            List<ZipEntry> entries = new ArrayList<>();
            for (Enumeration<? extends ZipEntry> it = zip.entries(); it.hasMoreElements(); ) {
                ZipEntry e = it.nextElement();
                String name = e.getName();
                if (name.contains("..") || name.startsWith("/") || name.startsWith("\\")) {
                    throw new WeightFormatException(file, "zip entry '" + Printable.text(name)
                            + "' has an unsafe path (it could point outside the archive); refusing the file");
                }
                entries.add(e);
            }
            return new SafeZip(file, zip, Collections.unmodifiableList(entries), fileSize);
        } catch (IOException | RuntimeException e) {
            zip.close();
            if (e instanceof WeightFormatException w) {
                throw w;
            }
            throw new WeightFormatException(file, "unreadable zip directory (" + Printable.cause(e) + ")", e);
        }
    }

    public Path file() {
        return file;
    }

    /** The entries in central-directory order. */
    public List<ZipEntry> entries() {
        return entries;
    }

    /** The entry with this name, or null. */
    public ZipEntry entry(String name) {
        return byName.get(name);
    }

    /** The entry's uncompressed size, after checking that the archive could really hold it. */
    public long checkedSize(ZipEntry e) throws WeightFormatException {
        long size = e.getSize();
        long compressed = e.getCompressedSize();
        if (size < 0 || compressed < 0) {
            throw problem(e, "has no recorded size");
        }
        if (compressed > fileSize) {
            throw problem(e, "claims " + compressed + " compressed bytes in a " + fileSize + "-byte file");
        }
        if (e.getMethod() == ZipEntry.STORED && size != compressed) {
            throw problem(e, "is stored uncompressed but declares " + size + " bytes in " + compressed);
        }
        if (e.getMethod() != ZipEntry.STORED && size > compressed * MAX_DEFLATE_RATIO + 1024) {
            throw problem(e, "declares " + size + " bytes from only " + compressed + " compressed bytes");
        }
        return size;
    }

    /** A stream over the entry's bytes; read errors are reported by the caller through {@link #problem}. */
    public InputStream open(ZipEntry e) throws IOException {
        checkedSize(e);
        try {
            return zip.getInputStream(e);
        } catch (IOException | RuntimeException ex) {
            throw problem(e, "cannot be opened (" + Printable.cause(ex) + ")", ex);
        }
    }

    /** The whole entry, at most {@code limit} bytes; its size is checked before allocating. */
    public byte[] readAll(ZipEntry e, long limit) throws IOException {
        long size = checkedSize(e);
        if (size > limit || size > MAX_ARRAY) {
            throw problem(e, "is " + size + " bytes, more than the " + Math.min(limit, MAX_ARRAY) + " allowed");
        }
        try (InputStream in = open(e)) {
            byte[] data = in.readNBytes((int) size);
            if (data.length != size) {
                throw problem(e, "is truncated: " + data.length + " of " + size + " bytes");
            }
            return data;
        } catch (WeightFormatException ex) {
            throw ex;
        } catch (IOException | RuntimeException ex) {
            throw problem(e, "cannot be read (" + Printable.cause(ex) + ")", ex);
        }
    }

    public WeightFormatException problem(ZipEntry e, String problem) {
        return new WeightFormatException(file, "zip entry '" + Printable.text(e.getName()) + "' " + problem);
    }

    public WeightFormatException problem(ZipEntry e, String problem, Throwable cause) {
        return new WeightFormatException(file, "zip entry '" + Printable.text(e.getName()) + "' " + problem, cause);
    }

    @Override
    public void close() throws IOException {
        zip.close();
    }
}
