package dev.fineturn.opencl;

import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_program;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Builds the backend's {@code .cl} resources once per context; a failed build shows its log. */
final class ClProgram {
    private final cl_program program;
    private final Map<String, cl_kernel> kernels = new ConcurrentHashMap<>();

    ClProgram(cl_context context, cl_device_id device, String... resources) {
        StringBuilder source = new StringBuilder();
        for (String r : resources) {
            source.append(load(r)).append('\n');
        }
        program = CL.clCreateProgramWithSource(context, 1, new String[]{source.toString()}, null, null);
        try {
            CL.clBuildProgram(program, 1, new cl_device_id[]{device}, "-cl-std=CL1.2", null, null);
        } catch (CLException e) {
            throw new IllegalStateException("OpenCL kernel build failed (" + e.getMessage() + "):\n"
                    + buildLog(device), e);
        }
    }

    private static String load(String resource) {
        try (InputStream in = ClProgram.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing OpenCL source resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read OpenCL source " + resource, e);
        }
    }

    private String buildLog(cl_device_id device) {
        long[] size = new long[1];
        CL.clGetProgramBuildInfo(program, device, CL.CL_PROGRAM_BUILD_LOG, 0, null, size);
        byte[] log = new byte[(int) size[0]];
        CL.clGetProgramBuildInfo(program, device, CL.CL_PROGRAM_BUILD_LOG, log.length, Pointer.to(log), null);
        return new String(log, StandardCharsets.UTF_8).trim();
    }

    cl_kernel kernel(String name) {
        return kernels.computeIfAbsent(name, n -> CL.clCreateKernel(program, n, null));
    }
}
