package dev.fineturn.cuda;

import dev.fineturn.spi.Availability;
import dev.fineturn.spi.Backend;
import dev.fineturn.spi.BackendProvider;
import dev.fineturn.spi.Storage;
import dev.fineturn.spi.UnaryOp;

/**
 * Registers the CUDA backend. The probe loads the JCuda driver binding (which needs only
 * libcuda.so.1), creates a context on device {@code fineturn.cuda.device} (default 0), loads the
 * PTX and checks a smoke kernel's result.
 */
public final class CudaBackendProvider implements BackendProvider {
    private static CudaBackend backend;
    private static Availability cached;

    @Override
    public String name() {
        return CudaBackend.NAME;
    }

    @Override
    public int priority() {
        return 200;
    }

    /** Probes once per JVM: a native library that failed to load cannot be retried. */
    @Override
    public Availability probe() {
        synchronized (CudaBackendProvider.class) {
            if (cached == null) {
                cached = probeOnce();
            }
            return cached;
        }
    }

    private static Availability probeOnce() {
        int ordinal = Integer.getInteger("fineturn.cuda.device", 0);
        CudaBackend b;
        try {
            b = new CudaBackend(ordinal);
        } catch (LinkageError e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            if (root instanceof UnsatisfiedLinkError || e instanceof ExceptionInInitializerError) {
                return Availability.unavailable("the NVIDIA driver library libcuda.so.1 or JCuda's native library "
                        + "could not be loaded (no NVIDIA driver on this machine?): " + firstLine(root.getMessage()));
            }
            return Availability.unavailable("JCuda could not be loaded: " + firstLine(e.toString()));
        } catch (RuntimeException e) {
            return Availability.unavailable("CUDA driver call failed on device " + ordinal + ": "
                    + firstLine(e.getMessage()));
        }
        try {
            float[] in = {-2f, -0.5f, 0f, 1.5f, 7f};
            Storage x = b.upload(in);
            Storage y = b.allocate(in.length);
            b.unary(UnaryOp.CLIPPED_RELU, 6f, 0f, x, y, in.length);
            float[] out = new float[in.length];
            b.read(y, 0, out, 0, out.length);
            float[] expected = {0f, 0f, 0f, 1.5f, 6f};
            if (!java.util.Arrays.equals(out, expected)) {
                return Availability.unavailable("smoke kernel on " + b.deviceName() + " returned "
                        + java.util.Arrays.toString(out) + " instead of " + java.util.Arrays.toString(expected));
            }
        } catch (RuntimeException e) {
            return Availability.unavailable("smoke kernel failed on " + b.deviceName() + ": " + firstLine(e.getMessage()));
        }
        synchronized (CudaBackendProvider.class) {
            backend = b;
        }
        return Availability.ok(b.deviceName());
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Override
    public Backend create() {
        Availability a = probe();
        if (!a.available()) {
            throw new IllegalStateException("cuda backend is not available: " + a.reason());
        }
        synchronized (CudaBackendProvider.class) {
            return backend;
        }
    }
}
