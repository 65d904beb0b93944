package dev.fineturn.models.onnx;

import dev.fineturn.nn.Init;
import dev.fineturn.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded mutations of small valid models (one with external data): every load either succeeds or
 * throws an IOException; nothing else escapes, and nothing hangs.
 */
class OnnxFuzzTest {
    private static final int MUTATIONS = 1000;

    @TempDir
    Path dir;

    @Test
    void mutatedModelsLoadOrFailCleanly() {
        Init.useBackend(ReferenceBackend.get());
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            int[] outcomes = new int[2];
            for (String fixture : new String[]{"tiny_cnn_opset11", "tiny_cnn_opset13"}) {
                Path src = OnnxParityTest.FIXTURES.resolve(fixture);
                Path work = Files.createDirectories(dir.resolve(fixture));
                if (Files.exists(src.resolve("weights.bin"))) {
                    Files.copy(src.resolve("weights.bin"), work.resolve("weights.bin"));
                }
                byte[] model = Files.readAllBytes(src.resolve("model.onnx"));
                SplittableRandom random = new SplittableRandom(fixture.hashCode());
                for (int i = 0; i < MUTATIONS; i++) {
                    byte[] mutated = mutate(model, random);
                    Path p = work.resolve("m" + i + ".onnx");
                    Files.write(p, mutated);
                    try {
                        OnnxModel.load(p);
                        outcomes[0]++;
                    } catch (IOException expected) {
                        outcomes[1]++;
                    } catch (Throwable t) {
                        fail(fixture + " mutation " + i + " threw " + t, t);
                    }
                    Files.delete(p);
                }
            }
            System.out.printf("ONNX fuzz: %d mutated files loaded, %d rejected with an IOException%n", outcomes[0],
                    outcomes[1]);
        });
    }

    private static byte[] mutate(byte[] src, SplittableRandom r) {
        byte[] b = src.clone();
        switch (r.nextInt(5)) {
            case 0 -> {
                for (int k = 1 + r.nextInt(8); k > 0; k--) {
                    b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 1 -> b = Arrays.copyOf(b, r.nextInt(b.length));
            case 2 -> {
                int at = r.nextInt(b.length);
                for (int k = 0; k < 1 + r.nextInt(10) && at + k < b.length; k++) {
                    b[at + k] = (byte) 0xff;
                }
            }
            case 3 -> {
                for (int k = 1 + r.nextInt(4); k > 0; k--) {
                    b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                }
            }
            default -> {
                int from = r.nextInt(b.length);
                int len = Math.min(1 + r.nextInt(64), b.length - from);
                byte[] out = new byte[b.length + len];
                int at = r.nextInt(b.length);
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, from, out, at, len);
                System.arraycopy(b, at, out, at + len, b.length - at);
                b = out;
            }
        }
        return b;
    }
}
