package dev.fineturn.models.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs a parser over seeded mutations of valid inputs. Each parse must succeed or throw an
 * IOException whose message names the file; any other exception or error (including running out
 * of memory) fails the test with the iteration and seed that reproduce it, and the whole run must
 * finish within its time bound.
 */
public final class Fuzzer {
    /** A parser under test. */
    public interface Parser {
        void parse(Path file) throws IOException;
    }

    /**
     * What a run saw, so tests can check that the mutations reached both outcomes, and how many
     * error messages carried raw control or invalid characters from the file.
     */
    public record Outcome(int parsed, int refused, int unprintable) {
    }

    private Fuzzer() {
    }

    private static boolean isPrintable(String message) {
        return message.chars().noneMatch(c -> c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0xfffd
                || Character.isSurrogate((char) c));
    }

    /**
     * {@code iterations} parses of {@code mutator(random)}'s output, written to {@code file}; the
     * random source of iteration i is seeded with {@code seed + i}.
     */
    public static Outcome run(Path file, long seed, int iterations, Duration limit, Function<Random, byte[]> mutator,
                              Parser parser) {
        return assertTimeoutPreemptively(limit, () -> {
            int parsed = 0;
            int refused = 0;
            int unprintable = 0;
            for (int i = 0; i < iterations; i++) {
                byte[] input = mutator.apply(new Random(seed + i));
                Files.write(file, input);
                try {
                    parser.parse(file);
                    parsed++;
                } catch (IOException e) {
                    String name = file.getFileName().toString();
                    if (e.getMessage() == null || !e.getMessage().contains(name)) {
                        fail("iteration " + i + " (seed " + (seed + i) + "): the error does not name the file: " + e, e);
                    }
                    refused++;
                    if (!isPrintable(e.getMessage())) {
                        unprintable++;
                    }
                } catch (Throwable t) {
                    fail("iteration " + i + " (seed " + (seed + i) + "): " + t.getClass().getName() + " instead of an "
                            + "IOException: " + t.getMessage(), t);
                }
            }
            assertTrue(parsed + refused == iterations);
            return new Outcome(parsed, refused, unprintable);
        }, () -> "fuzzing " + file.getFileName() + " took longer than " + limit);
    }
}
