package perceiver.tensor.opencl;

import static org.jocl.CL.clReleaseMemObject;

import java.lang.ref.Cleaner;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

import org.jocl.cl_mem;

/**
 * An array of {@link OpenClBackend}: a row-major float32 device buffer and its shape. Released when the scope it
 * was allocated in closes (see {@link OpenClBackend#scope()}), or, for an array allocated outside any scope, when
 * it becomes unreachable.
 */
public final class ClArray {
    private static final Cleaner CLEANER = Cleaner.create();

    private final int[] shape;
    private final int size;
    private final Buffer buffer;
    private final Cleaner.Cleanable cleanable;

    ClArray(cl_mem mem, int[] shape, long bytes, AtomicLong inUse) {
        this.shape = shape.clone();
        long n = 1;
        for (int d : shape) n *= d;
        this.size = Math.toIntExact(n);
        this.buffer = new Buffer(mem, bytes, inUse);
        this.cleanable = CLEANER.register(this, buffer);
    }

    public int[] shape() { return shape.clone(); }

    public int size() { return size; }

    int dim(int i) { return shape[i < 0 ? shape.length + i : i]; }

    /** True once the buffer has been given back to the device. */
    public boolean released() { return buffer.released; }

    cl_mem mem() {
        if (buffer.released) {
            throw new IllegalStateException("OpenCL array " + this + " used after its scope was closed");
        }
        return buffer.mem;
    }

    /** Releases the device buffer now (at most once; later uses fail). */
    void release() { cleanable.clean(); }

    @Override
    public String toString() { return "ClArray" + Arrays.toString(shape); }

    /** The device buffer, released by the cleaner or by {@link #release}; it must not refer to its ClArray. */
    private static final class Buffer implements Runnable {
        final cl_mem mem;
        final long bytes;
        final AtomicLong inUse;
        volatile boolean released;

        Buffer(cl_mem mem, long bytes, AtomicLong inUse) {
            this.mem = mem;
            this.bytes = bytes;
            this.inUse = inUse;
        }

        @Override
        public void run() {
            released = true;
            inUse.addAndGet(-bytes);
            clReleaseMemObject(mem);
        }
    }
}
