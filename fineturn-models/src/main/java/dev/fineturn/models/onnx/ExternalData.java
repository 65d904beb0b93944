package dev.fineturn.models.onnx;

import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.onnx.proto.Onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Tensor data kept beside the model file ({@code data_location = EXTERNAL}): a file named
 * relative to the model's folder, which it may not leave, and a byte range that must lie within
 * that file.
 */
final class ExternalData {
    private final Path model;
    private final Path folder;

    ExternalData(Path model) {
        this.model = model;
        this.folder = model.toAbsolutePath().normalize().getParent();
    }

    byte[] read(List<Onnx.StringStringEntryProto> entries, long needed, String what) throws WeightFormatException {
        String location = null;
        long offset = 0;
        long length = -1;
        for (Onnx.StringStringEntryProto e : entries) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = number(e.getValue(), "offset", what);
                case "length" -> length = number(e.getValue(), "length", what);
                default -> {
                }
            }
        }
        if (location == null || location.isEmpty()) {
            throw new WeightFormatException(model, what + " has external data without a location");
        }
        Path file = resolve(location, what);
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new WeightFormatException(model, what + ": cannot read external data file '" + location + "': " + e,
                    e);
        }
        if (length >= 0 && length != needed) {
            throw new WeightFormatException(model, what + " declares " + length + " bytes of external data in '"
                    + location + "', its shape needs " + needed);
        }
        if (offset > size || needed > size - offset) {
            throw new WeightFormatException(model, what + ": external data at offset " + offset + " with " + needed
                    + " bytes lies past the end of '" + location + "' (" + size + " bytes)");
        }
        if (needed > TensorDecoder.MAX_ELEMENTS) {
            throw new WeightFormatException(model, what + " needs " + needed + " bytes, more than one array holds");
        }
        byte[] bytes = new byte[(int) needed];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            long at = offset;
            while (buf.hasRemaining()) {
                int n = ch.read(buf, at);
                if (n < 0) {
                    throw new WeightFormatException(model, what + ": '" + location + "' ended early");
                }
                at += n;
            }
        } catch (WeightFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new WeightFormatException(model, what + ": cannot read external data file '" + location + "': " + e,
                    e);
        }
        return bytes;
    }

    private Path resolve(String location, String what) throws WeightFormatException {
        Path file;
        try {
            Path rel = Path.of(location);
            if (rel.isAbsolute()) {
                throw new WeightFormatException(model, what + ": external data path '" + location + "' is absolute");
            }
            file = folder.resolve(rel).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new WeightFormatException(model, what + ": invalid external data path '" + location + "'", e);
        }
        if (!file.startsWith(folder)) {
            throw new WeightFormatException(model, what + ": external data path '" + location
                    + "' escapes the model's folder");
        }
        boolean inside;
        try {
            inside = Files.isRegularFile(file) && file.toRealPath().startsWith(folder.toRealPath());
        } catch (IOException e) {
            throw new WeightFormatException(model, what + ": cannot resolve external data file '" + location + "'", e);
        }
        if (!inside) {
            throw new WeightFormatException(model, what + ": external data file '" + location
                    + "' is missing or lies outside the model's folder");
        }
        return file;
    }

    private long number(String text, String key, String what) throws WeightFormatException {
        try {
            long v = Long.parseLong(text.trim());
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new WeightFormatException(model, what + ": external data " + key + " '" + text
                    + "' is not a non-negative integer");
        }
    }
}
