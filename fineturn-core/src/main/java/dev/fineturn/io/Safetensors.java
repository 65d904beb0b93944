package dev.fineturn.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header, then raw data.
 * Every declared size is checked against the file before anything is allocated; writing goes
 * through a temporary file and an atomic rename.
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;

    private Safetensors() {
    }

    /** The tensors and the {@code __metadata__} strings of a file. */
    public record Contents(List<NamedTensor> tensors, Map<String, String> metadata) {
        public Map<String, NamedTensor> byName() {
            Map<String, NamedTensor> m = new LinkedHashMap<>();
            for (NamedTensor t : tensors) {
                m.put(t.name(), t);
            }
            return m;
        }
    }

    public static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new WeightFormatException(file, "too short for a safetensors file (" + size + " bytes)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, file);
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 0 || headerLen > size - 8 || headerLen > MAX_HEADER) {
                throw new WeightFormatException(file, "header length " + headerLen + " does not fit the file of "
                        + size + " bytes");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8, file);
            JsonNode header;
            try {
                String text;
                try {
                    text = StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                            .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(hb.array())).toString();
                } catch (java.nio.charset.CharacterCodingException e) {
                    throw new WeightFormatException(file, "header is not valid UTF-8", e);
                }
                header = JSON.readTree(text);
            } catch (JsonProcessingException e) {
                throw new WeightFormatException(file, "malformed JSON header: " + e.getOriginalMessage(), e);
            }
            if (header == null || !header.isObject()) {
                throw new WeightFormatException(file, "header is not a JSON object");
            }
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            List<NamedTensor> tensors = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    if (e.getValue().isObject()) {
                        e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    }
                    continue;
                }
                tensors.add(readTensor(file, ch, e.getKey(), e.getValue(), dataStart, dataLen));
            }
            return new Contents(tensors, metadata);
        }
    }

    private static NamedTensor readTensor(Path file, FileChannel ch, String name, JsonNode info, long dataStart,
                                          long dataLen) throws IOException {
        if (!info.isObject() || !info.path("dtype").isTextual() || !info.path("shape").isArray()
                || !info.path("data_offsets").isArray() || info.path("data_offsets").size() != 2) {
            throw new WeightFormatException(file, "tensor '" + name + "' needs dtype, shape and data_offsets");
        }
        DType dtype = DType.parse(file, name, info.get("dtype").asText());
        int[] shape = new int[info.get("shape").size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = info.get("shape").get(i);
            if (!d.canConvertToLong() || d.asLong() < 0 || d.asLong() > Integer.MAX_VALUE) {
                throw new WeightFormatException(file, "tensor '" + name + "' has an invalid dimension " + d);
            }
            shape[i] = (int) d.asLong();
            count *= shape[i];
            if (count > Integer.MAX_VALUE - 8) {
                throw new WeightFormatException(file, "tensor '" + name + "' shape " + java.util.Arrays.toString(shape)
                        + " is larger than a tensor can hold");
            }
        }
        long begin = info.get("data_offsets").get(0).asLong(-1);
        long end = info.get("data_offsets").get(1).asLong(-1);
        if (begin < 0 || end < begin || end > dataLen) {
            throw new WeightFormatException(file, "tensor '" + name + "' data_offsets [" + begin + ", " + end
                    + "] fall outside the " + dataLen + "-byte data section");
        }
        if (end - begin != count * dtype.bytes) {
            throw new WeightFormatException(file, "tensor '" + name + "' " + dtype + " " + java.util.Arrays.toString(shape)
                    + " needs " + count * dtype.bytes + " bytes but data_offsets give " + (end - begin));
        }
        ByteBuffer buf = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, buf, dataStart + begin, file);
        buf.flip();
        return new NamedTensor(name, shape, dtype.toFloats(buf, (int) count));
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, Path file) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new WeightFormatException(file, "truncated: expected " + buf.remaining() + " more bytes at offset "
                        + pos);
            }
            pos += n;
        }
    }

    /** Writes float32 tensors atomically: a temporary file in the same folder, then a rename. */
    public static void write(Path file, List<NamedTensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (NamedTensor t : tensors) {
            if (t.name().equals("__metadata__") || header.has(t.name())) {
                throw new IllegalArgumentException("safetensors: duplicate or reserved tensor name '" + t.name() + "'");
            }
            ObjectNode n = header.putObject(t.name());
            n.put("dtype", "F32");
            var shape = n.putArray("shape");
            for (int d : t.shape()) {
                shape.add(d);
            }
            var off = n.putArray("data_offsets");
            off.add(offset);
            offset += 4L * t.data().length;
            off.add(offset);
        }
        byte[] headerBytes = JSON.writeValueAsBytes(header);
        int padded = (headerBytes.length + 7) / 8 * 8;
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(headerBytes);
            for (int i = headerBytes.length; i < padded; i++) {
                out.write(' ');
            }
            for (NamedTensor t : tensors) {
                ByteBuffer b = ByteBuffer.allocate(4 * t.data().length).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(t.data());
                out.write(b.array());
            }
        });
    }
}
