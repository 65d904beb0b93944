package dev.fineturn.models.keras;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded random damage to small_cnn.h5: each damaged file either loads or is rejected with an
 * IOException or IllegalArgumentException whose message names the file; never another exception,
 * an error such as OutOfMemoryError, or a hang.
 */
class KerasH5FuzzTest {
    private static final int CASES = 600;
    private static final byte[] JSON_BYTES = "0123456789-.,:\"[]{} aez".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void damagedFilesLoadOrFailWithAMessage() throws IOException {
        byte[] original = Files.readAllBytes(KerasH5Fixtures.path("small_cnn.h5"));
        int json = indexOf(original, "{\"class_name\": \"Functional\"".getBytes(StandardCharsets.US_ASCII));
        int jsonEnd = indexOf(original, "\"output_layers\"".getBytes(StandardCharsets.US_ASCII));
        assertTrue(json > 0 && jsonEnd > json, "fixture lacks its model_config");
        Random r = new Random(20240611);
        int loaded = 0;
        int rejected = 0;
        long start = System.nanoTime();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < CASES; i++) {
            byte[] b = original.clone();
            String how = switch (i % 6) {
                case 0 -> flipBits(b, r, 0, b.length);
                case 1 -> overwrite(b, r, 1 + r.nextInt(8));
                case 2 -> ones(b, r);
                case 3 -> {
                    int n = r.nextInt(b.length);
                    b = Arrays.copyOf(b, n);
                    yield "truncated to " + n + " bytes";
                }
                case 4 -> jsonByte(b, r, json, jsonEnd);
                default -> flipBits(b, r, 0, Math.min(b.length, 2048));
            };
            Path p = dir.resolve("case" + i + ".h5");
            Files.write(p, b);
            try {
                assertTimeoutPreemptively(Duration.ofSeconds(5), () -> KerasH5Model.load(p), how);
                loaded++;
            } catch (Throwable t) {
                boolean clean = (t instanceof IOException || t instanceof IllegalArgumentException)
                        && t.getMessage() != null && t.getMessage().contains(p.toString());
                if (clean) {
                    rejected++;
                } else {
                    failures.add("case " + i + " (" + how + "): " + t + " at " + t.getStackTrace()[0]);
                }
            }
            Files.delete(p);
        }
        System.out.printf("fuzz: %d damaged files, %d loaded, %d rejected with a message naming the file, %.1f s%n", CASES, loaded,
                rejected, (System.nanoTime() - start) / 1e9);
        if (!failures.isEmpty()) {
            fail(failures.size() + " damaged files failed badly:\n" + String.join("\n", failures));
        }
        assertTrue(rejected > CASES / 10, "too few damaged files were rejected: " + rejected);
    }

    private static String flipBits(byte[] b, Random r, int from, int to) {
        StringBuilder s = new StringBuilder("flipped bits at");
        for (int k = 0, n = 1 + r.nextInt(3); k < n; k++) {
            int pos = from + r.nextInt(to - from);
            b[pos] ^= (byte) (1 << r.nextInt(8));
            s.append(' ').append(pos);
        }
        return s.toString();
    }

    private static String overwrite(byte[] b, Random r, int n) {
        int pos = r.nextInt(b.length - n);
        for (int k = 0; k < n; k++) {
            b[pos + k] = (byte) r.nextInt(256);
        }
        return n + " random bytes at " + pos;
    }

    private static String ones(byte[] b, Random r) {
        int n = r.nextBoolean() ? 4 : 8;
        int pos = r.nextInt(b.length - n);
        Arrays.fill(b, pos, pos + n, (byte) 0xff);
        return n + " 0xff bytes at " + pos;
    }

    private static String jsonByte(byte[] b, Random r, int from, int to) {
        int pos = from + r.nextInt(to - from);
        byte old = b[pos];
        b[pos] = JSON_BYTES[r.nextInt(JSON_BYTES.length)];
        return "model_config byte at " + pos + " '" + (char) old + "' -> '" + (char) b[pos] + "'";
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        for (int i = 0; i + needle.length <= hay.length; i++) {
            if (Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }
}
