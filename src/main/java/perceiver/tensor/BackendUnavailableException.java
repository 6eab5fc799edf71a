package perceiver.tensor;

/**
 * A backend cannot do the work asked of it: no OpenCL runtime or library, no (such) device, a kernel that fails to
 * build, or a device out of memory. The message says which and what to do; the CPU backend is unaffected.
 */
public class BackendUnavailableException extends RuntimeException {
    public BackendUnavailableException(String message) {
        super(message);
    }

    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
