package perceiver.tensor.opencl;

import java.util.List;

import org.jocl.CL;
import org.jocl.CLException;

import perceiver.tensor.Backend;
import perceiver.tensor.BackendUnavailableException;

/**
 * Entry points of the OpenCL backend, called by {@link perceiver.tensor.Backends} through reflection so that the
 * CPU path never loads a JOCL class. Every failure is a {@link BackendUnavailableException} whose message says what
 * is missing.
 */
public final class OpenCl {
    /** Extra OpenCL build options, e.g. {@code -Dperceiver.opencl.options=-cl-mad-enable}. */
    public static final String OPTIONS_PROPERTY = "perceiver.opencl.options";

    private OpenCl() {}

    /** The backend on device {@code spec} ({@code N}, {@code platform:device}, or null for the default device). */
    public static Backend<?> open(String spec) {
        return open(spec, Long.MAX_VALUE, System.getProperty(OPTIONS_PROPERTY));
    }

    /**
     * The backend on device {@code spec}, allocating at most {@code memoryBudget} bytes (the device's global memory
     * if smaller), its kernels built with the extra {@code options} (null: none).
     */
    public static OpenClBackend open(String spec, long memoryBudget, String options) {
        return guard(() -> {
            ClDevice d = ClDevice.select(spec);
            return new OpenClBackend(ClRuntime.of(d, options), Math.min(memoryBudget, d.globalMemory()));
        });
    }

    /** The backend on the first GPU or accelerator, or null when OpenCL has none (only CPU devices). */
    public static Backend<?> openAccelerator() {
        return guard(() -> {
            ClDevice d = ClDevice.all().stream().filter(ClDevice::isAccelerator).findFirst().orElse(null);
            return d == null ? null : open(String.valueOf(d.index()));
        });
    }

    /** One line per device, in the order of the indices {@code --device N} takes. */
    public static List<String> describeDevices() {
        return guard(() -> ClDevice.all().stream().map(ClDevice::describe).toList());
    }

    /** Builds {@code source} with {@code options} on device {@code spec}, to check that a build failure is reported. */
    public static void build(String spec, String source, String options) {
        guard(() -> {
            ClRuntime.buildOnly(ClDevice.select(spec), options, source);
            return null;
        });
    }

    private static <T> T guard(java.util.function.Supplier<T> body) {
        try {
            CL.setExceptionsEnabled(true);
            return body.get();
        } catch (CLException e) {
            throw new BackendUnavailableException("OpenCL failed: " + e.getMessage(), e);
        } catch (UnsatisfiedLinkError e) {
            throw new BackendUnavailableException("OpenCL is unavailable: the native OpenCL library could not be loaded ("
                    + e.getMessage() + "); install an OpenCL runtime (on Debian: ocl-icd-libopencl1 plus a driver such"
                    + " as pocl-opencl-icd)", e);
        }
    }
}
