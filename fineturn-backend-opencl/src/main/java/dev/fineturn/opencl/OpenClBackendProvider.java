package dev.fineturn.opencl;

import dev.fineturn.spi.Availability;
import dev.fineturn.spi.Backend;
import dev.fineturn.spi.BackendProvider;
import dev.fineturn.spi.Storage;
import dev.fineturn.spi.UnaryOp;

import java.util.List;

/**
 * Registers the OpenCL backend. The probe loads JOCL's native library, finds a platform and device,
 * builds the kernels and runs a smoke kernel whose result it checks.
 */
public final class OpenClBackendProvider implements BackendProvider {
    private volatile OpenClBackend backend;

    @Override
    public String name() {
        return OpenClBackend.NAME;
    }

    @Override
    public int priority() {
        return 50;
    }

    @Override
    public Availability probe() {
        List<ClDevice> devices;
        try {
            devices = ClDevice.all();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return Availability.unavailable("cannot load the OpenCL library (libOpenCL.so.1; install "
                    + "ocl-icd-libopencl1 and an ICD such as pocl-opencl-icd): " + e.getMessage());
        } catch (RuntimeException e) {
            return Availability.unavailable("no OpenCL platform: " + e.getMessage());
        }
        try {
            ClDevice device = ClDevice.select(devices);
            OpenClBackend b = new OpenClBackend(device);
            float[] in = {-2f, -0.5f, 0f, 1.5f, 7f};
            Storage x = b.upload(in);
            Storage y = b.allocate(in.length);
            b.unary(UnaryOp.CLIPPED_RELU, 6f, 0f, x, y, in.length);
            float[] out = new float[in.length];
            b.read(y, 0, out, 0, out.length);
            float[] expected = {0f, 0f, 0f, 1.5f, 6f};
            if (!java.util.Arrays.equals(out, expected)) {
                return Availability.unavailable("smoke kernel on " + device + " returned "
                        + java.util.Arrays.toString(out) + " instead of " + java.util.Arrays.toString(expected));
            }
            backend = b;
            return Availability.ok(device.toString());
        } catch (RuntimeException e) {
            return Availability.unavailable(e.getMessage());
        }
    }

    @Override
    public Backend create() {
        OpenClBackend b = backend;
        if (b == null) {
            Availability a = probe();
            if (!a.available()) {
                throw new IllegalStateException("opencl backend is not available: " + a.reason());
            }
            b = backend;
        }
        return b;
    }
}
