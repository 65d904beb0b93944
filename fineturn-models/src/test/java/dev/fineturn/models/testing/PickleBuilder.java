package dev.fineturn.models.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes pickle opcodes by hand, so tests can build exactly the stream they mean (valid or not). */
public final class PickleBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public PickleBuilder proto(int version) {
        return op(0x80).raw(version);
    }

    public PickleBuilder op(int opcode) {
        out.write(opcode);
        return this;
    }

    public PickleBuilder raw(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    public PickleBuilder le(long value, int bytes) {
        for (int i = 0; i < bytes; i++) {
            out.write((int) (value >>> (8 * i)));
        }
        return this;
    }

    public PickleBuilder global(String module, String name) {
        op('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        return this;
    }

    public PickleBuilder str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return op('X').le(b.length, 4).bytes(b);
    }

    public PickleBuilder bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    /** The smallest int opcode for a non-negative value below 2^31, LONG1 above. */
    public PickleBuilder integer(long v) {
        if (v >= 0 && v < 256) {
            return op('K').le(v, 1);
        }
        if (v >= 0 && v < 65536) {
            return op('M').le(v, 2);
        }
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            return op('J').le(v, 4);
        }
        return op(0x8a).raw(8).le(v, 8);
    }

    public PickleBuilder mark() {
        return op('(');
    }

    public PickleBuilder tuple() {
        return op('t');
    }

    public PickleBuilder ints(long... values) {
        mark();
        for (long v : values) {
            integer(v);
        }
        return tuple();
    }

    public PickleBuilder emptyDict() {
        return op('}');
    }

    public PickleBuilder emptyTuple() {
        return op(')');
    }

    public PickleBuilder reduce() {
        return op('R');
    }

    public PickleBuilder setItem() {
        return op('s');
    }

    public PickleBuilder stop() {
        return op('.');
    }

    /**
     * Pushes {@code _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())} for a
     * storage given by its class name, key and element count.
     */
    public PickleBuilder tensor(String storageClass, String key, long numel, long offset, long[] size, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2");
        mark();
        mark().str("storage").global("torch", storageClass).str(key).str("cpu").integer(numel).tuple().op('Q');
        integer(offset).ints(size).ints(stride).op(0x89);
        global("collections", "OrderedDict").emptyTuple().reduce();
        tuple();
        return reduce();
    }

    /** A whole pickle: {@code {name: tensor}} as above, then STOP. */
    public static byte[] stateDict(String name, String storageClass, String key, long numel, long offset, long[] size,
                                   long[] stride) {
        return new PickleBuilder().proto(2).emptyDict().str(name).tensor(storageClass, key, numel, offset, size, stride)
                .setItem().stop().build();
    }

    public byte[] build() {
        return out.toByteArray();
    }
}
