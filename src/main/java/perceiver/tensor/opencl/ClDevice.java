package perceiver.tensor.opencl;

import static org.jocl.CL.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

import perceiver.tensor.BackendUnavailableException;

/**
 * One OpenCL device of one platform, with the properties the backend needs. {@code index} counts devices over all
 * platforms in enumeration order; that is the {@code N} of {@code --device N} ({@code platform:device} also works).
 */
record ClDevice(int index, int platformIndex, int deviceIndex, cl_platform_id platform, cl_device_id id,
                String platformName, String name, long type, String version, int computeUnits, long globalMemory,
                long maxAllocation, long localMemory, long maxWorkGroup) {

    boolean isAccelerator() {
        return (type & (CL_DEVICE_TYPE_GPU | CL_DEVICE_TYPE_ACCELERATOR)) != 0;
    }

    String typeName() {
        if ((type & CL_DEVICE_TYPE_GPU) != 0) return "GPU";
        if ((type & CL_DEVICE_TYPE_ACCELERATOR) != 0) return "accelerator";
        if ((type & CL_DEVICE_TYPE_CPU) != 0) return "CPU";
        return "other";
    }

    /** A short name for messages: {@code opencl:<platform>:<device> <name>}. */
    String label() {
        return "opencl:" + platformIndex + ":" + deviceIndex + " (" + name + ")";
    }

    /** One line for {@code perceiver devices}. */
    String describe() {
        return String.format("%d  %d:%d  %-11s %s | %s | %s, %d compute units, %.1f GiB global, %.1f GiB max buffer,"
                        + " %d KiB local, work-groups up to %d",
                index, platformIndex, deviceIndex, typeName(), name, platformName, version, computeUnits,
                globalMemory / (double) (1L << 30), maxAllocation / (double) (1L << 30), localMemory >> 10,
                maxWorkGroup);
    }

    /**
     * Every device of every platform.
     *
     * @throws BackendUnavailableException when no OpenCL platform exists
     */
    static List<ClDevice> all() {
        cl_platform_id[] platforms;
        try {
            int[] n = new int[1];
            clGetPlatformIDs(0, null, n);
            platforms = new cl_platform_id[n[0]];
            if (n[0] > 0) clGetPlatformIDs(n[0], platforms, null);
        } catch (CLException e) {
            throw new BackendUnavailableException("no OpenCL platform is installed (" + e.getMessage() + "); on Debian"
                    + " install a driver such as pocl-opencl-icd (CPU) or the GPU vendor's ICD", e);
        }
        if (platforms.length == 0) {
            throw new BackendUnavailableException("no OpenCL platform is installed; on Debian install a driver such"
                    + " as pocl-opencl-icd (CPU) or the GPU vendor's ICD");
        }
        List<ClDevice> out = new ArrayList<>();
        for (int p = 0; p < platforms.length; p++) {
            cl_device_id[] ids;
            try {
                int[] n = new int[1];
                clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, 0, null, n);
                ids = new cl_device_id[n[0]];
                if (n[0] > 0) clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, n[0], ids, null);
            } catch (CLException e) {
                continue; // CL_DEVICE_NOT_FOUND: a platform without devices
            }
            String platformName = platformString(platforms[p], CL_PLATFORM_NAME);
            for (int d = 0; d < ids.length; d++) {
                cl_device_id id = ids[d];
                out.add(new ClDevice(out.size(), p, d, platforms[p], id, platformName,
                        deviceString(id, CL_DEVICE_NAME).strip(), deviceLong(id, CL_DEVICE_TYPE),
                        deviceString(id, CL_DEVICE_VERSION), (int) deviceInt(id, CL_DEVICE_MAX_COMPUTE_UNITS),
                        deviceLong(id, CL_DEVICE_GLOBAL_MEM_SIZE), deviceLong(id, CL_DEVICE_MAX_MEM_ALLOC_SIZE),
                        deviceLong(id, CL_DEVICE_LOCAL_MEM_SIZE), deviceSize(id, CL_DEVICE_MAX_WORK_GROUP_SIZE)));
            }
        }
        if (out.isEmpty()) throw new BackendUnavailableException("no OpenCL device found (platforms exist, devices do not)");
        return out;
    }

    /**
     * The device {@code spec} names ({@code N} or {@code platform:device}), or, when null, the first GPU or
     * accelerator, else the first device.
     */
    static ClDevice select(String spec) {
        List<ClDevice> all = all();
        if (spec == null || spec.isBlank()) {
            return all.stream().filter(ClDevice::isAccelerator).findFirst().orElse(all.get(0));
        }
        try {
            String[] parts = spec.strip().split(":");
            if (parts.length == 1) {
                int i = Integer.parseInt(parts[0]);
                if (i >= 0 && i < all.size()) return all.get(i);
            } else if (parts.length == 2) {
                int p = Integer.parseInt(parts[0]), d = Integer.parseInt(parts[1]);
                for (ClDevice c : all) if (c.platformIndex == p && c.deviceIndex == d) return c;
            } else {
                throw new NumberFormatException(spec);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--device must be N or PLATFORM:DEVICE (see 'perceiver devices'), got '"
                    + spec + "'");
        }
        throw new BackendUnavailableException("no OpenCL device " + spec + "; there are " + all.size()
                + " (see 'perceiver devices')");
    }

    /** One of clGetPlatformInfo / clGetDeviceInfo with its object and parameter bound. */
    private interface InfoQuery {
        void get(long size, Pointer value, long[] sizeReturned);
    }

    private static String platformString(cl_platform_id p, int param) {
        return string((size, value, ret) -> clGetPlatformInfo(p, param, size, value, ret));
    }

    private static String deviceString(cl_device_id d, int param) {
        return string((size, value, ret) -> clGetDeviceInfo(d, param, size, value, ret));
    }

    private static String string(InfoQuery q) {
        long[] size = new long[1];
        q.get(0, null, size);
        byte[] b = new byte[(int) size[0]];
        q.get(b.length, Pointer.to(b), null);
        return cString(b);
    }

    private static long deviceLong(cl_device_id d, int param) {
        long[] v = new long[1];
        clGetDeviceInfo(d, param, Sizeof.cl_ulong, Pointer.to(v), null);
        return v[0];
    }

    private static long deviceInt(cl_device_id d, int param) {
        int[] v = new int[1];
        clGetDeviceInfo(d, param, Sizeof.cl_uint, Pointer.to(v), null);
        return v[0];
    }

    private static long deviceSize(cl_device_id d, int param) {
        long[] v = new long[1];
        clGetDeviceInfo(d, param, Sizeof.size_t, Pointer.to(v), null);
        return v[0];
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }
}
