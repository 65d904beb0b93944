package dev.fineturn.models.arch;

import dev.fineturn.nn.Init;
import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.spi.Backend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Full-size torchvision resnet18 and mobilenet_v2 (too large to commit): the fixtures are
 * generated into a temporary folder by make_arch_fixtures.py --full when /usr/bin/python3 (or the
 * interpreter named by -Dfineturn.python) has torch and torchvision; otherwise these tests are
 * skipped with the reason.
 */
class FullSizePyTorchParityTest {
    private static final Path PYTHON = Path.of(System.getProperty("fineturn.python", "/usr/bin/python3"));
    private static final Path SCRIPT = Path.of("src/test/python/make_arch_fixtures.py");

    @TempDir
    static Path dir;
    private static String unavailable;

    private final Backend b = ReferenceBackend.get();

    @BeforeAll
    static void generate() throws IOException, InterruptedException {
        if (!Files.isExecutable(PYTHON)) {
            unavailable = PYTHON + " not found";
        } else if (run(List.of(PYTHON.toString(), "-c", "import torch, torchvision"), 120).exitCode != 0) {
            unavailable = PYTHON + " cannot import torch and torchvision";
        } else {
            Result r = run(List.of(PYTHON.toString(), SCRIPT.toString(), "--full", dir.toString()), 600);
            assertEquals(0, r.exitCode, "make_arch_fixtures.py --full failed:\n" + r.output);
            System.out.print(r.output);
        }
        if (unavailable != null) {
            System.out.println("FullSizePyTorchParityTest skipped: " + unavailable);
        }
    }

    private record Result(int exitCode, String output) {
    }

    /** Output is captured: a child writing to the forked JVM's stdout would corrupt Surefire's channel. */
    private static Result run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile(dir, "python", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(command + " did not finish in " + timeoutSeconds + " s");
        }
        return new Result(p.exitValue(), Files.readString(log));
    }

    @BeforeEach
    void onReference() {
        assumeTrue(unavailable == null, () -> "full-size PyTorch fixtures unavailable: " + unavailable);
        Init.useBackend(b);
        Init.seed(2);
    }

    @Test
    void resnet18() {
        ArchFixtures.assertLogitsMatch(dir, "resnet18", ResNet.resnet18(1000), b);
    }

    @Test
    void mobilenetV2() {
        ArchFixtures.assertLogitsMatch(dir, "mobilenet_v2", MobileNetV2.mobilenetV2(1000), b);
    }
}
