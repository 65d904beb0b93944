package dev.fineturn.opencl;

import org.jocl.CL;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClProgramTest {
    @Test
    void failedBuildShowsTheCompilerLog() {
        OpenClTestDevice.backend();
        ClDevice device = ClDevice.select(ClDevice.all());
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL.CL_CONTEXT_PLATFORM, device.platform());
        cl_context context = CL.clCreateContext(props, 1, new cl_device_id[]{device.device()}, null, null, null);
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new ClProgram(context, device.device(), "broken_for_test.cl"));
            assertTrue(e.getMessage().contains("undeclared_on_purpose"), e.getMessage());
        } finally {
            CL.clReleaseContext(context);
        }
    }
}
