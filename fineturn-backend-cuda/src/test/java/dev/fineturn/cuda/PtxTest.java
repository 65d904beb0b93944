package dev.fineturn.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The committed PTX is valid, complete and up to date with the CUDA source. */
class PtxTest {
    private static final Path SOURCE = Path.of("src/main/cuda/kernels.cu");
    private static final List<String> KERNELS = List.of("fill", "unary", "unary_backward", "binary", "copy_strided",
            "gemm_small", "gemm_large");

    private static String committedPtx() {
        byte[] b = CudaBackend.ptx();
        return new String(b, 0, b.length - 1, StandardCharsets.UTF_8);
    }

    @Test
    void everyKernelTheBackendLaunchesIsInThePtx() {
        String ptx = committedPtx();
        assertTrue(ptx.contains(".target sm_80"), "PTX must target compute_80");
        for (String k : KERNELS) {
            assertTrue(ptx.contains(".visible .entry " + k + "("), "kernel " + k + " missing from PTX");
        }
    }

    @Test
    void committedPtxAssemblesWithPtxas() throws Exception {
        String ptxas = tool("ptxas");
        Assumptions.assumeTrue(ptxas != null, "ptxas not installed; skipping assembly check");
        Path ptx = Files.createTempFile("fineturn", ".ptx");
        Path cubin = Files.createTempFile("fineturn", ".cubin");
        Files.writeString(ptx, committedPtx());
        Process p = new ProcessBuilder(ptxas, "-arch=sm_80", ptx.toString(), "-o", cubin.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "ptxas timed out");
        assertEquals(0, p.exitValue(), "ptxas rejected the committed PTX:\n" + out);
        assertTrue(Files.size(cubin) > 0);
    }

    @Test
    void committedPtxIsNotStale() throws Exception {
        String nvcc = tool("nvcc");
        Assumptions.assumeTrue(nvcc != null, "nvcc not installed; skipping staleness check");
        Path fresh = Files.createTempFile("fineturn-fresh", ".ptx");
        Process p = new ProcessBuilder(nvcc, "-ptx", "-arch=compute_80", "-o", fresh.toString(), SOURCE.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "nvcc timed out");
        assertEquals(0, p.exitValue(), "nvcc failed:\n" + out);
        assertEquals(code(Files.readString(fresh)), code(committedPtx()),
                "src/main/resources/dev/fineturn/cuda/kernels.ptx is stale: run fineturn-backend-cuda/build-ptx.sh");
    }

    /** PTX without comment lines (they name the compiler build). */
    private static String code(String ptx) {
        StringBuilder b = new StringBuilder();
        for (String line : ptx.split("\n")) {
            if (!line.stripLeading().startsWith("//")) {
                b.append(line.stripTrailing()).append('\n');
            }
        }
        return b.toString().strip();
    }

    static String tool(String name) throws IOException {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }
}
