package dev.fineturn.cpu;

import dev.fineturn.spi.Availability;
import dev.fineturn.spi.Backend;
import dev.fineturn.spi.BackendProvider;
import dev.fineturn.spi.GemmSpec;
import dev.fineturn.spi.HostStorage;

import java.nio.file.Files;
import java.nio.file.Path;

/** Registers the Vector API backend; its probe runs a small GEMM through the micro-kernel. */
public final class CpuBackendProvider implements BackendProvider {
    private static final System.Logger LOG = System.getLogger("dev.fineturn.backend");

    @Override
    public String name() {
        return CpuBackend.NAME;
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Availability probe() {
        try {
            ModuleLayer.boot().findModule("jdk.incubator.vector").orElseThrow(() -> new IllegalStateException(
                    "the JVM was started without --add-modules jdk.incubator.vector"));
            int n = 13;
            float[] a = new float[n * n];
            float[] b = new float[n * n];
            for (int i = 0; i < a.length; i++) {
                a[i] = (i % 7) - 3;
                b[i] = (i % 5) - 2;
            }
            float[] c = new float[n * n];
            CpuBackend backend = CpuBackend.get();
            backend.gemm(GemmSpec.of(n, n, n, false, false), 1f, new HostStorage(backend, a), 0,
                    new HostStorage(backend, b), 0, 0f, new HostStorage(backend, c), 0);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    float expected = 0;
                    for (int p = 0; p < n; p++) {
                        expected += a[i * n + p] * b[p * n + j];
                    }
                    if (expected != c[i * n + j]) {
                        return Availability.unavailable("smoke GEMM gave " + c[i * n + j] + " instead of " + expected
                                + " at (" + i + "," + j + ")");
                    }
                }
            }
            String fma = hasFma() ? "" : "; WARNING: this CPU reports no FMA, vector FMAs will be slow";
            if (!fma.isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "cpu backend: this CPU reports no FMA instructions; "
                        + "the Vector API emulates them and GEMM/convolution will be far slower");
            }
            return Availability.ok(VectorGemm.SPECIES + ", " + CpuPool.threads() + " threads" + fma);
        } catch (Throwable t) {
            return Availability.unavailable(t.getClass().getSimpleName() + ": " + t.getMessage());
        }
    }

    /** FMA support as the OS reports it; assumed present where it cannot be read. */
    static boolean hasFma() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        try {
            if (Files.isReadable(cpuinfo)) {
                String arch = System.getProperty("os.arch", "");
                if (arch.contains("aarch64")) {
                    return true;
                }
                for (String line : Files.readAllLines(cpuinfo)) {
                    if (line.startsWith("flags")) {
                        return line.contains(" fma");
                    }
                }
            }
        } catch (java.io.IOException | RuntimeException ignored) {
            // unknown: assume the common case
        }
        return true;
    }

    @Override
    public Backend create() {
        return CpuBackend.get();
    }
}
