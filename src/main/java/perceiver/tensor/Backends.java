package perceiver.tensor;

import java.lang.reflect.InvocationTargetException;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Chooses a {@link Backend} by name: {@code cpu} (the default), {@code opencl}, or {@code auto}.
 *
 * <p>The OpenCL backend ({@code perceiver.tensor.opencl}, through JOCL) is reached only by reflection, and only
 * when asked for: the CPU path never loads a JOCL class, and JOCL need not be on the class path of a user who never
 * asks for OpenCL. Every way OpenCL can be missing (JOCL absent, its native library or the system's
 * {@code libOpenCL.so.1} not loadable, no platform, no such device, a kernel that does not build) becomes a
 * {@link BackendUnavailableException} with a message that says which.
 *
 * <p>{@code auto} takes an OpenCL GPU or accelerator when there is one (or the device named), and otherwise the CPU
 * backend, with a note saying why: on a machine whose only OpenCL device is the CPU itself the Vector API kernels of
 * the CPU backend are faster than an OpenCL CPU runtime.
 */
public final class Backends {
    /** The names {@link #create} accepts. */
    public static final List<String> NAMES = List.of("cpu", "opencl", "auto");
    private static final String OPENCL = "perceiver.tensor.opencl.OpenCl";

    private Backends() {}

    /**
     * @param name   {@code cpu}, {@code opencl} or {@code auto}
     * @param device OpenCL device: index {@code N} as {@code perceiver devices} lists them, or
     *               {@code platform:device}; null for the default (the first GPU, else the first device)
     * @param notes  receives a line when {@code auto} does not take OpenCL, saying why
     * @throws BackendUnavailableException when {@code opencl} is asked for and cannot run
     */
    public static Backend<?> create(String name, String device, Consumer<String> notes) {
        switch (name == null ? "cpu" : name.toLowerCase(Locale.ROOT)) {
            case "cpu" -> {
                if (device != null) {
                    throw new IllegalArgumentException("--device " + device + " selects an OpenCL device; add"
                            + " --backend opencl (or auto)");
                }
                return CpuBackend.INSTANCE;
            }
            case "opencl" -> {
                return (Backend<?>) call("open", device);
            }
            case "auto" -> {
                try {
                    Backend<?> be = (Backend<?>) (device == null ? call("openAccelerator") : call("open", device));
                    if (be != null) return be;
                    notes.accept("note: no OpenCL GPU or accelerator found; running on the CPU backend (pass"
                            + " --backend opencl to use an OpenCL CPU device anyway)");
                } catch (BackendUnavailableException e) {
                    notes.accept("note: " + e.getMessage() + "; running on the CPU backend");
                }
                return CpuBackend.INSTANCE;
            }
            default -> throw new IllegalArgumentException("unknown backend '" + name + "'; expected one of " + NAMES);
        }
    }

    /**
     * One line per OpenCL device, in the order of the indices {@code --device N} takes.
     *
     * @throws BackendUnavailableException when there is no OpenCL runtime or platform
     */
    @SuppressWarnings("unchecked")
    public static List<String> devices() {
        return (List<String>) call("describeDevices");
    }

    /**
     * Calls a static method of the OpenCL entry class with String arguments, turning every way of OpenCL being
     * absent into a {@link BackendUnavailableException}.
     */
    private static Object call(String method, String... args) {
        try {
            Class<?>[] types = new Class<?>[args.length];
            java.util.Arrays.fill(types, String.class);
            return Class.forName(OPENCL).getMethod(method, types).invoke(null, (Object[]) args);
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            if (t instanceof BackendUnavailableException b) throw b;
            if (t instanceof LinkageError l) throw unavailable(l);
            if (t instanceof RuntimeException r) throw r;
            throw new BackendUnavailableException("OpenCL failed: " + t, t);
        } catch (LinkageError e) {
            throw unavailable(e);
        } catch (ReflectiveOperationException e) {
            throw new BackendUnavailableException("the OpenCL backend is not part of this build (" + e + ")", e);
        }
    }

    static BackendUnavailableException unavailable(LinkageError e) {
        String msg = String.valueOf(e.getMessage());
        if (e instanceof NoClassDefFoundError && msg.startsWith("org/jocl")) {
            return new BackendUnavailableException("OpenCL is unavailable: JOCL (org.jocl:jocl) is not on the class"
                    + " path", e);
        }
        if (e instanceof UnsatisfiedLinkError) {
            return new BackendUnavailableException("OpenCL is unavailable: the native OpenCL library could not be"
                    + " loaded (" + msg + "); install an OpenCL runtime (on Debian: ocl-icd-libopencl1 plus a driver"
                    + " such as pocl-opencl-icd)", e);
        }
        return new BackendUnavailableException("OpenCL is unavailable: " + e, e);
    }
}
