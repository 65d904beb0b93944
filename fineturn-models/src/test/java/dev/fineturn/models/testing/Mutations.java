package dev.fineturn.models.testing;

import java.util.Arrays;
import java.util.Random;

/**
 * Seeded random mutations of a valid file: bit flips, random bytes, truncation, insertion,
 * deletion, duplicated chunks, and "interesting" integers written over length fields.
 */
public final class Mutations {
    private static final long[] INTERESTING = {0, 1, -1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
            0x7fffffffL, 0x80000000L, 0xffffffffL, 1L << 32, 1_000_000_000_000L, Long.MAX_VALUE, Long.MIN_VALUE};

    private Mutations() {
    }

    /**
     * One to three mutations of {@code input}. {@code lengthFields} are offsets of known length
     * fields; a third of the integer overwrites go there.
     */
    public static byte[] mutate(byte[] input, Random r, int... lengthFields) {
        byte[] b = input;
        int ops = 1 + r.nextInt(3);
        for (int k = 0; k < ops; k++) {
            b = once(b, r, lengthFields);
        }
        return b;
    }

    private static byte[] once(byte[] b, Random r, int[] lengthFields) {
        if (b.length == 0) {
            return new byte[]{(byte) r.nextInt(256)};
        }
        int at = r.nextInt(b.length);
        return switch (r.nextInt(7)) {
            case 0 -> {
                byte[] out = b.clone();
                for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) {
                    out[r.nextInt(out.length)] ^= (byte) (1 << r.nextInt(8));
                }
                yield out;
            }
            case 1 -> {
                byte[] out = b.clone();
                out[at] = (byte) r.nextInt(256);
                yield out;
            }
            case 2 -> Arrays.copyOf(b, r.nextInt(b.length));
            case 3 -> {
                byte[] insert = new byte[1 + r.nextInt(16)];
                r.nextBytes(insert);
                yield splice(b, at, 0, insert);
            }
            case 4 -> splice(b, at, Math.min(b.length - at, 1 + r.nextInt(16)), new byte[0]);
            case 5 -> {
                int len = Math.min(b.length - at, 1 + r.nextInt(32));
                yield splice(b, r.nextInt(b.length), 0, Arrays.copyOfRange(b, at, at + len));
            }
            default -> {
                int width = new int[]{1, 2, 4, 8}[r.nextInt(4)];
                int offset = lengthFields.length > 0 && r.nextInt(3) == 0
                        ? lengthFields[r.nextInt(lengthFields.length)] : at;
                long value = r.nextInt(4) == 0 ? b.length + r.nextInt(64) - 32 : INTERESTING[r.nextInt(INTERESTING.length)];
                byte[] out = b.clone();
                for (int i = 0; i < width && offset + i < out.length; i++) {
                    out[offset + i] = (byte) (value >>> (8 * i));
                }
                yield out;
            }
        };
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }
}
