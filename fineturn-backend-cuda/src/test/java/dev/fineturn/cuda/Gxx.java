package dev.fineturn.cuda;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Builds the C++ programs of src/test/cuda (which include kernels.cu through cuda_emu.h) into
 * target/cuda-emu with g++ -std=c++20 -O1 -pthread, again only when a source is newer than the
 * binary: a kernel source (src/main/cuda, or the kernels shared with OpenCL in ../kernels), the
 * emulation header or the program. Tests that need one are skipped when g++ is not on the PATH.
 */
final class Gxx {
    static final List<Path> KERNEL_DIRS = List.of(Path.of("src/main/cuda"), Path.of("../kernels"));
    static final Path TEST_DIR = Path.of("src/test/cuda");
    static final Path OUT = Path.of("target/cuda-emu");

    private Gxx() {
    }

    static synchronized Path build(String source, String binaryName, String... extraFlags) throws Exception {
        String gxx = PtxTest.tool("g++");
        Assumptions.assumeTrue(gxx != null, "g++ not on PATH; the CUDA kernel emulation needs g++ 10 or newer");
        Files.createDirectories(OUT);
        Path binary = OUT.resolve(binaryName);
        if (stale(binary, TEST_DIR.resolve(source))) {
            List<String> cmd = new ArrayList<>(List.of(gxx, "-std=c++20", "-O1", "-pthread", "-Wall",
                    "-Wno-unknown-pragmas"));
            cmd.addAll(List.of(extraFlags));
            cmd.addAll(List.of("-o", binary.toString(), TEST_DIR.resolve(source).toString()));
            Process cc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String log = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(cc.waitFor(300, TimeUnit.SECONDS), "g++ timed out");
            assertEquals(0, cc.exitValue(), "g++ could not compile " + source + " against cuda_emu.h:\n" + log);
        }
        return binary.toAbsolutePath();
    }

    /** The binary is older than a kernel source, the emulation header or its own source. */
    private static boolean stale(Path binary, Path source) throws IOException {
        if (!Files.exists(binary)) {
            return true;
        }
        long built = Files.getLastModifiedTime(binary).toMillis();
        List<Path> inputs = new ArrayList<>(List.of(TEST_DIR.resolve("cuda_emu.h"), source));
        for (Path dir : KERNEL_DIRS) {
            try (var files = Files.list(dir)) {
                files.forEach(inputs::add);
            }
        }
        for (Path p : inputs) {
            if (Files.getLastModifiedTime(p).toMillis() >= built) {
                return true;
            }
        }
        return false;
    }
}
