package dev.fineturn.opencl;

import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** An OpenCL device and its platform, and the rule that picks one. */
record ClDevice(int platformIndex, int deviceIndex, cl_platform_id platform, cl_device_id device, String name,
                String platformName, boolean gpu) {

    static final String PROPERTY = "fineturn.opencl.device";

    @Override
    public String toString() {
        return platformName + " / " + name + " (" + platformIndex + ":" + deviceIndex + (gpu ? ", GPU" : "") + ")";
    }

    static List<ClDevice> all() {
        CL.setExceptionsEnabled(true);
        int[] count = new int[1];
        CL.clGetPlatformIDs(0, null, count);
        cl_platform_id[] platforms = new cl_platform_id[count[0]];
        if (count[0] > 0) {
            CL.clGetPlatformIDs(count[0], platforms, null);
        }
        List<ClDevice> out = new ArrayList<>();
        for (int p = 0; p < platforms.length; p++) {
            int[] dc = new int[1];
            try {
                CL.clGetDeviceIDs(platforms[p], CL.CL_DEVICE_TYPE_ALL, 0, null, dc);
            } catch (RuntimeException noDevices) {
                continue;
            }
            cl_device_id[] devices = new cl_device_id[dc[0]];
            CL.clGetDeviceIDs(platforms[p], CL.CL_DEVICE_TYPE_ALL, dc[0], devices, null);
            String pname = platformString(platforms[p]);
            for (int d = 0; d < devices.length; d++) {
                long[] type = new long[1];
                CL.clGetDeviceInfo(devices[d], CL.CL_DEVICE_TYPE, Sizeof.cl_long, Pointer.to(type), null);
                out.add(new ClDevice(p, d, platforms[p], devices[d], deviceString(devices[d]), pname,
                        (type[0] & CL.CL_DEVICE_TYPE_GPU) != 0));
            }
        }
        return out;
    }

    /**
     * The device named by {@code fineturn.opencl.device} ("P:D" indices or a name substring), else the
     * first GPU, else the first device.
     */
    static ClDevice select(List<ClDevice> devices) {
        if (devices.isEmpty()) {
            throw new IllegalStateException("no OpenCL platform with a device was found (install an ICD such as "
                    + "pocl-opencl-icd, or a GPU driver's OpenCL package)");
        }
        String want = System.getProperty(PROPERTY, System.getenv().getOrDefault("FINETURN_OPENCL_DEVICE", ""));
        if (!want.isBlank()) {
            for (ClDevice d : devices) {
                if (want.equals(d.platformIndex + ":" + d.deviceIndex)
                        || d.name.toLowerCase(Locale.ROOT).contains(want.toLowerCase(Locale.ROOT))
                        || d.platformName.toLowerCase(Locale.ROOT).contains(want.toLowerCase(Locale.ROOT))) {
                    return d;
                }
            }
            throw new IllegalStateException("no OpenCL device matches " + PROPERTY + "='" + want + "'; devices: "
                    + devices);
        }
        return devices.stream().filter(ClDevice::gpu).findFirst().orElse(devices.get(0));
    }

    private static String deviceString(cl_device_id device) {
        long[] size = new long[1];
        CL.clGetDeviceInfo(device, CL.CL_DEVICE_NAME, 0, null, size);
        byte[] buffer = new byte[(int) size[0]];
        CL.clGetDeviceInfo(device, CL.CL_DEVICE_NAME, buffer.length, Pointer.to(buffer), null);
        return new String(buffer, 0, Math.max(0, buffer.length - 1)).trim();
    }

    private static String platformString(cl_platform_id platform) {
        long[] size = new long[1];
        CL.clGetPlatformInfo(platform, CL.CL_PLATFORM_NAME, 0, null, size);
        byte[] buffer = new byte[(int) size[0]];
        CL.clGetPlatformInfo(platform, CL.CL_PLATFORM_NAME, buffer.length, Pointer.to(buffer), null);
        return new String(buffer, 0, Math.max(0, buffer.length - 1)).trim();
    }
}
