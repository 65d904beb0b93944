package dev.fineturn.models.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Little helpers for building binary test inputs. */
public final class Bytes {
    private Bytes() {
    }

    public static byte[] floats(ByteOrder order, float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(order);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    public static byte[] floats(float... values) {
        return floats(ByteOrder.LITTLE_ENDIAN, values);
    }

    public static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }
}
