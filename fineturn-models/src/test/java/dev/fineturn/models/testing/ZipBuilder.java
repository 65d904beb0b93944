package dev.fineturn.models.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** Builds zip archives entry by entry, stored or deflated, including names a real writer would refuse. */
public final class ZipBuilder {
    private final Map<String, byte[]> entries = new LinkedHashMap<>();
    private final Map<String, Boolean> deflated = new LinkedHashMap<>();

    public ZipBuilder stored(String name, byte[] data) {
        entries.put(name, data);
        deflated.put(name, false);
        return this;
    }

    public ZipBuilder stored(String name, String text) {
        return stored(name, text.getBytes(StandardCharsets.UTF_8));
    }

    public ZipBuilder deflated(String name, byte[] data) {
        entries.put(name, data);
        deflated.put(name, true);
        return this;
    }

    /** The entries of an existing archive, keeping each one's compression. */
    public static ZipBuilder of(Path zip) {
        ZipBuilder b = new ZipBuilder();
        try (ZipFile in = new ZipFile(zip.toFile())) {
            for (ZipEntry e : Collections.list(in.entries())) {
                byte[] data = in.getInputStream(e).readAllBytes();
                if (e.getMethod() == ZipEntry.DEFLATED) {
                    b.deflated(e.getName(), data);
                } else {
                    b.stored(e.getName(), data);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b;
    }

    public ZipBuilder copy() {
        ZipBuilder b = new ZipBuilder();
        b.entries.putAll(entries);
        b.deflated.putAll(deflated);
        return b;
    }

    public java.util.Set<String> names() {
        return entries.keySet();
    }

    /** Replaces an entry's bytes, keeping its place and compression. */
    public ZipBuilder replace(String name, byte[] data) {
        if (!entries.containsKey(name)) {
            throw new IllegalArgumentException("no entry " + name);
        }
        entries.put(name, data);
        return this;
    }

    public byte[] entry(String name) {
        return entries.get(name);
    }

    public byte[] build() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry z = new ZipEntry(e.getKey());
                z.setTime(0);
                if (!deflated.get(e.getKey())) {
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    z.setMethod(ZipEntry.STORED);
                    z.setSize(e.getValue().length);
                    z.setCompressedSize(e.getValue().length);
                    z.setCrc(crc.getValue());
                }
                out.putNextEntry(z);
                out.write(e.getValue());
                out.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
