package dev.fineturn.cuda;

import dev.fineturn.reference.ElementwiseKernels;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CUDA kernels without a GPU: compiles src/main/cuda/kernels.cu with g++ against the CPU
 * emulation in src/test/cuda/cuda_emu.h, together with kernel_test.cpp, which checks every kernel
 * on awkward shapes against naive loops after the reference backend. The dropout masks are also
 * checked bit for bit against {@link dev.fineturn.spi.DropoutHash} as computed here in Java.
 * Skipped when g++ is not on the PATH.
 */
class CudaKernelEmulationTest {
    private static final Pattern SUMMARY = Pattern.compile("(\\d+) cases, (\\d+) failed");

    @Test
    void everyKernelMatchesTheNaiveLoopsOnTheCpuEmulation() throws Exception {
        Path binary = Gxx.build("kernel_test.cpp", "kernel_test");
        Path masks = Gxx.OUT.resolve("dropout-java.txt");
        Files.writeString(masks, javaDropoutMasks());
        Process run = new ProcessBuilder(binary.toString(), masks.toAbsolutePath().toString())
                .redirectErrorStream(true).start();
        String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(run.waitFor(300, TimeUnit.SECONDS), "kernel test timed out");
        Files.writeString(Gxx.OUT.resolve("kernel_test.log"), out);
        System.out.println(out);
        assertEquals(0, run.exitValue(), "kernel test failed:\n" + failures(out));
        Matcher m = SUMMARY.matcher(out);
        assertTrue(m.find(), "no summary line in:\n" + out);
        assertEquals("0", m.group(2), out);
        for (String kernel : PtxSignatures.entries().keySet()) {
            assertTrue(Pattern.compile("(?m)^PASS " + kernel + " ").matcher(out).find(),
                    "kernel " + kernel + " is in the PTX but no emulated case checked it");
        }
        assertTrue(out.contains("vs Java DropoutHash"), "dropout masks were not compared with Java's");
    }

    /** Masks from the reference as lines "seed p n" and n floats as raw int bits. */
    private static String javaDropoutMasks() {
        StringBuilder b = new StringBuilder();
        long[] seeds = {0L, -7L, Long.MAX_VALUE, Long.MIN_VALUE, 0x123456789ABCDEFL};
        float[] ps = {0f, 0.1f, 0.5f, 0.999f, 1f};
        int n = 777;
        for (long seed : seeds) {
            for (float p : ps) {
                float[] mask = new float[n];
                ElementwiseKernels.dropoutMask(seed, p, mask, n);
                b.append(seed).append(' ').append(p).append(' ').append(n).append('\n');
                for (float v : mask) {
                    b.append(Float.floatToRawIntBits(v)).append(' ');
                }
                b.append('\n');
            }
        }
        return b.toString();
    }

    private static String failures(String out) {
        List<String> lines = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.startsWith("PASS ")) {
                lines.add(line);
            }
        }
        return String.join("\n", lines);
    }
}
