package perceiver.tensor.opencl;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.cl_mem;

import perceiver.tensor.Backend;
import perceiver.tensor.BackendUnavailableException;
import perceiver.tensor.PackedMatrix;
import perceiver.tensor.Tensor;

/**
 * The OpenCL backend: arrays are device buffers ({@link ClArray}) and every operation is a kernel of
 * {@code kernels.cl} (tiled local-memory matmul, row softmax with masks, layernorm, GELU, residual add, attention
 * streamed over key blocks with an online softmax).
 *
 * <p>Weights: each host weight ({@link PackedMatrix}, bias, gamma, beta, latents) is uploaded the first time it is
 * used and kept on the device, keyed by the identity of the host object ({@link WeightCache}). Activations stay on
 * the device between layers; only {@link #upload} and {@link #download} (the model's inputs and outputs, and
 * attention probabilities when a trace asks for them) cross the bus.
 *
 * <p>Memory: every array allocated while a {@link #scope()} is open belongs to the innermost open scope of the
 * calling thread and is released when it closes ({@link Scope#keep} hands a result to the enclosing scope). The
 * model code opens a scope per forward pass, per attention layer and per decoded chunk, so device memory holds the
 * weights plus about one layer's activations. An array allocated outside any scope is released when it becomes
 * unreachable. Allocations are counted against the device's memory (or a smaller budget); running out gives a
 * {@link BackendUnavailableException} that says so, never a crash.
 *
 * <p>Thread safety: one backend serves many threads; launches are serialised on the device's in-order queue.
 */
public final class OpenClBackend implements Backend<ClArray> {
    private final ClRuntime rt;
    private final long memoryBudget;
    private final AtomicLong inUse = new AtomicLong();
    private final WeightCache weights = new WeightCache();
    private final ThreadLocal<ArrayDeque<ClScope>> scopes = ThreadLocal.withInitial(ArrayDeque::new);
    /** Keys per split of the streamed attention at least (4 key blocks). */
    private static final int MIN_SPLIT_KEYS = 256;
    /** Work-groups the streamed attention aims for: a few per compute unit. */
    private volatile int targetGroups;

    OpenClBackend(ClRuntime rt, long memoryBudget) {
        this.rt = rt;
        this.memoryBudget = memoryBudget;
        this.targetGroups = 4 * Math.max(1, rt.device.computeUnits());
    }

    @Override
    public String name() { return rt.device.label(); }

    /** The device, as {@code perceiver devices} lists it. */
    public String device() { return rt.device.describe(); }

    /** Bytes of device memory this backend holds now (weights and live arrays). */
    public long bytesInUse() { return inUse.get(); }

    /** How many host weights were uploaded so far (each once). */
    public long weightUploads() { return weights.uploads(); }

    /** Milliseconds the device's program took to build (once per process; later backends share it). */
    public long buildMillis() { return rt.buildMillis; }

    /** True when both backends run the same built program (one context, queue and program per device). */
    boolean sharesProgramWith(OpenClBackend other) { return rt == other.rt; }

    /** Waits until the device has finished everything enqueued (for timing). */
    public void finish() { guard("finish", () -> { rt.finish(); return null; }); }

    // ---- arrays ------------------------------------------------------------------------------------------------

    @Override
    public ClArray upload(Tensor host) {
        return guard("upload", () -> track(alloc(host.shape(), () -> rt.create(host.data(), host.offset(), host.size()))));
    }

    @Override
    public Tensor download(ClArray array) {
        return guard("download", () -> {
            float[] out = new float[array.size()];
            rt.read(array.mem(), out, 0, out.length);
            return Tensor.of(out, array.shape());
        });
    }

    @Override
    public int[] shape(ClArray array) { return array.shape(); }

    /** A new array of the given shape (contents undefined), owned by the current scope. */
    private ClArray allocate(int... shape) {
        return track(alloc(shape, () -> rt.create(bytes(shape))));
    }

    private static long bytes(int[] shape) {
        return Tensor.count(shape) * Float.BYTES;
    }

    /** Checks the budget, then creates the buffer; the result is owned by no scope yet. */
    private ClArray alloc(int[] shape, Supplier<cl_mem> create) {
        long bytes = Math.max(Float.BYTES, bytes(shape));
        ClDevice d = rt.device;
        if (bytes > d.maxAllocation()) {
            throw outOfMemory("an array of shape " + Arrays.toString(shape) + " (" + mib(bytes) + ") exceeds the"
                    + " largest buffer the device allows (" + mib(d.maxAllocation()) + ")");
        }
        long now = inUse.addAndGet(bytes);
        if (now > memoryBudget) {
            inUse.addAndGet(-bytes);
            throw outOfMemory("an array of shape " + Arrays.toString(shape) + " needs " + mib(bytes) + " more, "
                    + mib(now - bytes) + " of " + mib(memoryBudget) + " are in use");
        }
        try {
            return new ClArray(create.get(), shape, bytes, inUse);
        } catch (RuntimeException e) {
            inUse.addAndGet(-bytes);
            throw e;
        }
    }

    private BackendUnavailableException outOfMemory(String what) {
        return new BackendUnavailableException("OpenCL device " + name() + " is out of memory: " + what
                + "; use the CPU backend (--backend cpu) or a device with more memory");
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (double) (1 << 20));
    }

    /** The device copy of a host weight, uploaded on first use. */
    private ClArray weight(Object host, int[] shape, Supplier<float[]> data) {
        return weights.get(host, () -> {
            float[] d = data.get();
            return alloc(shape, () -> rt.create(d, 0, d.length));
        });
    }

    private ClArray weight(Tensor t) {
        return weights.get(t, () -> alloc(t.shape(), () -> rt.create(t.data(), t.offset(), t.size())));
    }

    // ---- operations --------------------------------------------------------------------------------------------

    @Override
    public ClArray linear(ClArray x, PackedMatrix weightT, Tensor bias) {
        return guard("linear", () -> {
            int in = weightT.rows(), out = weightT.cols(), rows = x.size() / Math.max(1, in);
            ClArray w = weight(weightT, new int[] {in, out}, weightT::toRowMajor);
            ClArray b = bias == null ? null : weight(bias);
            int[] shape = x.shape();
            shape[shape.length - 1] = out;
            ClArray y = allocate(shape);
            matmul(rows, out, in, 1, 1, x.mem(), 0, in, 0, 0, w.mem(), 0, out, 0, 0, false, y.mem(), 0, out, 0, 0,
                    b == null ? null : b.mem());
            return y;
        });
    }

    /** C = A · op(B) (+ bias) for each z = b · heads + h; see kernel {@code matmul}. */
    private void matmul(int m, int n, int k, int batch, int heads, cl_mem a, int aOff, int lda, int aSB, int aSH,
                        cl_mem b, int bOff, int ldb, int bSB, int bSH, boolean transB,
                        cl_mem c, int cOff, int ldc, int cSB, int cSH, cl_mem bias) {
        if (m == 0 || n == 0 || batch * heads == 0) return;
        ClRuntime.Tiles t = rt.tiles;
        long[] global = {(long) ceil(n, t.tsn()) * t.rtsn(), (long) ceil(m, t.tsm()) * t.rtsm(), (long) batch * heads};
        long[] local = {t.rtsn(), t.rtsm(), 1};
        rt.launch("matmul", global, local, m, n, k, heads, a, aOff, lda, aSB, aSH, b, bOff, ldb, bSB, bSH,
                transB ? 1 : 0, c, cOff, ldc, cSB, cSH, bias == null ? rt.dummy : bias, bias == null ? 0 : 1);
    }

    private static int ceil(int n, int block) { return (n + block - 1) / block; }

    @Override
    public ClArray layerNorm(ClArray x, Tensor gamma, Tensor beta, float eps) {
        return guard("layerNorm", () -> {
            int n = x.dim(-1), rows = x.size() / Math.max(1, n);
            ClArray y = allocate(x.shape());
            if (rows > 0 && n > 0) {
                int red = rt.tiles.red();
                rt.launch("layernorm", new long[] {(long) rows * red}, new long[] {red},
                        x.mem(), y.mem(), n, weight(gamma).mem(), weight(beta).mem(), eps);
            }
            return y;
        });
    }

    @Override
    public ClArray gelu(ClArray x) {
        return guard("gelu", () -> {
            elementwise("gelu", x.size(), x.mem(), x.size());
            return x;
        });
    }

    @Override
    public ClArray add(ClArray a, ClArray b) {
        if (a.size() != b.size()) {
            throw new IllegalArgumentException("add of " + b + " to " + a + ": sizes differ");
        }
        return guard("add", () -> {
            elementwise("add_inplace", a.size(), a.mem(), b.mem(), a.size());
            return a;
        });
    }

    private void elementwise(String kernel, int n, Object... args) {
        if (n == 0) return;
        rt.launch(kernel, new long[] {(long) ceil(n, 64) * 64}, null, args);
    }

    @Override
    public ClArray repeat(Tensor weight, int times) {
        return guard("repeat", () -> {
            ClArray w = weight(weight);
            int[] shape = new int[weight.rank() + 1];
            shape[0] = times;
            System.arraycopy(weight.shape(), 0, shape, 1, weight.rank());
            ClArray out = allocate(shape);
            for (int i = 0; i < times; i++) rt.copy(w.mem(), out.mem(), (long) i * w.size(), w.size());
            return out;
        });
    }

    @Override
    public ClArray attend(ClArray q, ClArray k, ClArray v, int heads, float[][] mask, Tensor probs) {
        int batch = q.dim(0), n = q.dim(1), m = k.dim(1), hf = q.dim(2), hfv = v.dim(2);
        int f = hf / heads, fv = hfv / heads;
        if (k.dim(0) != batch || v.dim(0) != batch || v.dim(1) != m || k.dim(2) != hf || hf % heads != 0
                || hfv % heads != 0) {
            throw new IllegalArgumentException("attention over q " + q + ", k " + k + ", v " + v + " with " + heads
                    + " heads");
        }
        return guard("attend", () -> {
            ClArray out = allocate(batch, n, hfv);
            if (n == 0) return out;
            if (m == 0) {
                rt.zero(out.mem(), out.size());
                return out;
            }
            float scale = (float) (1 / Math.sqrt(f));
            List<ClArray> temps = new ArrayList<>();
            try {
                cl_mem maskMem = rt.dummy;
                if (mask != null) {
                    float[] flat = new float[batch * m];
                    for (int b = 0; b < batch; b++) System.arraycopy(mask[b], 0, flat, b * m, m);
                    ClArray ma = alloc(new int[] {batch, m}, () -> rt.create(flat, 0, flat.length));
                    temps.add(ma);
                    maskMem = ma.mem();
                }
                if (probs != null) {
                    ClArray s = alloc(new int[] {batch, heads, n, m}, () -> rt.create(bytes(new int[] {batch, heads, n, m})));
                    temps.add(s);
                    matmul(n, m, f, batch, heads, q.mem(), 0, hf, n * hf, f, k.mem(), 0, hf, m * hf, f, true,
                            s.mem(), 0, m, heads * n * m, n * m, null);
                    int red = rt.tiles.red();
                    rt.launch("softmax_rows", new long[] {(long) batch * heads * n * red}, new long[] {red},
                            s.mem(), 0, m, m, scale, maskMem, mask == null ? 0 : 1, heads * n);
                    rt.read(s.mem(), probs.data(), probs.offset(), s.size());
                    matmul(n, fv, m, batch, heads, s.mem(), 0, m, heads * n * m, n * m, v.mem(), 0, hfv, m * hfv, fv,
                            false, out.mem(), 0, hfv, n * hfv, fv, null);
                } else {
                    streamed(q, k, v, heads, scale, maskMem, mask != null, out, temps);
                }
            } finally {
                temps.forEach(ClArray::release);
            }
            return out;
        });
    }

    /**
     * Attention without probabilities: {@code attend_stream} over blocks of keys; when there are few query-row
     * blocks for the device, the keys are split into ranges processed by separate work-groups, and
     * {@code attend_combine} merges the partial results.
     */
    private void streamed(ClArray q, ClArray k, ClArray v, int heads, float scale, cl_mem mask, boolean masked,
                          ClArray out, List<ClArray> temps) {
        int batch = q.dim(0), n = q.dim(1), m = k.dim(1), hf = q.dim(2), hfv = v.dim(2);
        int f = hf / heads, fv = hfv / heads;
        ClRuntime.Tiles t = rt.tiles;
        long groups = (long) ceil(n, t.aq()) * batch * heads;
        int splits = (int) Math.max(1, Math.min(ceil(m, MIN_SPLIT_KEYS), (targetGroups + groups - 1) / groups));
        int keysPerSplit = ceil(ceil(m, splits), t.ak()) * t.ak();
        splits = ceil(m, keysPerSplit);
        cl_mem partial = rt.dummy, stats = rt.dummy;
        if (splits > 1) {
            int[] shape = {batch * heads, splits, n, fv}, statShape = {batch * heads, splits, n, 2};
            ClArray p = alloc(shape, () -> rt.create(bytes(shape)));
            temps.add(p);
            ClArray s = alloc(statShape, () -> rt.create(bytes(statShape)));
            temps.add(s);
            partial = p.mem();
            stats = s.mem();
        }
        long[] global = {(long) t.ac() * splits, (long) ceil(n, t.aq()) * t.aq(), (long) batch * heads};
        rt.launch("attend_stream", global, new long[] {t.ac(), t.aq(), 1}, n, m, f, fv, heads, scale,
                q.mem(), hf, n * hf, k.mem(), hf, m * hf, v.mem(), hfv, m * hfv, mask, masked ? 1 : 0,
                out.mem(), hfv, n * hfv, keysPerSplit, partial, stats);
        if (splits > 1) {
            rt.launch("attend_combine", new long[] {ceil(fv, 16) * 16L, n, (long) batch * heads}, null,
                    n, fv, splits, partial, stats, out.mem(), hfv, n * hfv, heads);
        }
    }

    /** Sets the number of work-groups the streamed attention aims for (splitting keys to get there). */
    void targetGroups(int groups) { targetGroups = groups; }

    // ---- scopes ------------------------------------------------------------------------------------------------

    @Override
    public Scope scope() {
        ArrayDeque<ClScope> stack = scopes.get();
        ClScope s = new ClScope(stack, stack.peek());
        stack.push(s);
        return s;
    }

    /** Gives {@code a} to the innermost open scope of this thread, if any. */
    private ClArray track(ClArray a) {
        ClScope top = scopes.get().peek();
        if (top != null) top.arrays.add(a);
        return a;
    }

    /** Arrays allocated while a scope was open, released when it closes. */
    private static final class ClScope implements Scope {
        final List<ClArray> arrays = new ArrayList<>();
        final ArrayDeque<ClScope> stack;
        final ClScope parent;
        boolean closed;

        ClScope(ArrayDeque<ClScope> stack, ClScope parent) {
            this.stack = stack;
            this.parent = parent;
        }

        @Override
        public <T> T keep(T array) {
            if (array instanceof ClArray a && arrays.remove(a) && parent != null && !parent.closed) parent.arrays.add(a);
            return array;
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            stack.remove(this);
            arrays.forEach(ClArray::release);
            arrays.clear();
        }
    }

    // ---- errors ------------------------------------------------------------------------------------------------

    /** Runs {@code op}, turning OpenCL errors into messages (out of memory says so). */
    private <T> T guard(String op, Supplier<T> body) {
        try {
            return body.get();
        } catch (CLException e) {
            int s = e.getStatus();
            if (s == CL.CL_MEM_OBJECT_ALLOCATION_FAILURE || s == CL.CL_OUT_OF_RESOURCES
                    || s == CL.CL_OUT_OF_HOST_MEMORY || s == CL.CL_INVALID_BUFFER_SIZE) {
                throw outOfMemory(op + " failed with " + CL.stringFor_errorCode(s));
            }
            throw new BackendUnavailableException("OpenCL " + op + " failed on " + name() + ": " + e.getMessage(), e);
        }
    }
}
