package dev.fineturn.models.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Recognises an ONNX model by walking its top-level protobuf fields: every field must be one of
 * ModelProto's, with the right wire type and a length inside the file, the walk must end exactly
 * at the end of the file, and ir_version (1) and graph (7) must be present. Only field headers are
 * read; the graph itself is skipped over.
 */
final class OnnxSniffer {
    private static final int MAX_FIELDS = 1_000_000;
    private static final int VARINT = 0;
    private static final int LENGTH_DELIMITED = 2;

    private final FileChannel ch;
    private final long size;
    private long pos;

    private OnnxSniffer(FileChannel ch, long size) {
        this.ch = ch;
        this.size = size;
    }

    static boolean isOnnx(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return new OnnxSniffer(ch, ch.size()).walk();
        }
    }

    private boolean walk() throws IOException {
        boolean irVersion = false;
        boolean graph = false;
        for (int fields = 0; pos < size; fields++) {
            long key = varint();
            if (key < 0 || fields >= MAX_FIELDS) {
                return false;
            }
            int number = (int) Math.min(key >>> 3, Integer.MAX_VALUE);
            int wire = (int) (key & 7);
            if (wire != expectedWireType(number)) {
                return false;
            }
            if (wire == VARINT) {
                if (varint() < 0) {
                    return false;
                }
            } else {
                long length = varint();
                if (length < 0 || length > size - pos) {
                    return false;
                }
                pos += length;
            }
            irVersion |= number == 1;
            graph |= number == 7;
        }
        return pos == size && irVersion && graph;
    }

    /** ModelProto: ir_version 1, producer_name 2, producer_version 3, domain 4, model_version 5,
     * doc_string 6, graph 7, opset_import 8, metadata_props 14, training_info 20, functions 25. */
    private static int expectedWireType(int field) {
        return switch (field) {
            case 1, 5 -> VARINT;
            case 2, 3, 4, 6, 7, 8, 14, 20, 25 -> LENGTH_DELIMITED;
            default -> -1;
        };
    }

    /** The next varint, or -1 when it is malformed or runs past the end. */
    private long varint() throws IOException {
        long value = 0;
        ByteBuffer one = ByteBuffer.allocate(1);
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= size) {
                return -1;
            }
            one.clear();
            if (ch.read(one, pos++) != 1) {
                return -1;
            }
            int b = one.get(0) & 0xff;
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        return -1;
    }
}
