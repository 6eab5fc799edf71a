package perceiver.tensor.opencl;

import static org.jocl.CL.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

import perceiver.tensor.BackendUnavailableException;

/**
 * A device's context, in-order command queue and built kernels. Built once per process and device (and build
 * options): {@link #of} caches it, so the kernel compilation (1-2 s cold on PoCL) is paid once. Kernel arguments are
 * set and launches enqueued under the runtime's lock, so one runtime serves many threads.
 */
final class ClRuntime {
    static final String SOURCE = "kernels.cl";
    static final List<String> KERNELS = List.of("matmul", "softmax_rows", "layernorm", "gelu", "add_inplace",
            "attend_stream", "attend_combine");

    /** Work-group shapes: the default (16 x 16 work-items) and one for devices with small work-groups (8 x 8). */
    record Tiles(int tsm, int tsn, int tsk, int wptm, int wptn, int red, int aq, int ac, int ak) {
        /** 128 x 64 output tiles, 8 x 4 per work-item (16 x 16 work-items); attention 16 x 16 work-items, 64 keys. */
        static final Tiles DEFAULT = new Tiles(128, 64, 16, 8, 4, 64, 16, 16, 64);
        static final Tiles SMALL = new Tiles(32, 32, 16, 4, 4, 64, 8, 8, 32);

        Tiles {
            int items = tsm / Math.max(1, wptm) * (tsn / Math.max(1, wptn));
            if (tsm % wptm != 0 || tsn % wptn != 0 || tsm * tsk % items != 0 || tsk * tsn % items != 0
                    || Integer.bitCount(red) != 1 || aq != ac || ak % ac != 0) {
                throw new IllegalArgumentException("inconsistent OpenCL tile sizes " + List.of(tsm, tsn, tsk, wptm,
                        wptn, red, aq, ac, ak) + " (TSM, TSN, TSK, WPTM, WPTN, RED, AQ, AC, AK)");
            }
        }

        /** From {@code -Dperceiver.opencl.tiles=TSM,TSN,TSK,WPTM,WPTN,RED,AQ,AC,AK} (tuning), or null. */
        static Tiles fromProperty() {
            String p = System.getProperty(TILES_PROPERTY);
            if (p == null) return null;
            try {
                int[] v = java.util.Arrays.stream(p.split(",")).map(String::strip).mapToInt(Integer::parseInt).toArray();
                if (v.length != 9) throw new NumberFormatException();
                return new Tiles(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(TILES_PROPERTY + " must be nine integers, got '" + p + "'");
            }
        }

        int rtsm() { return tsm / wptm; }
        int rtsn() { return tsn / wptn; }
        long largestGroup() { return Math.max(Math.max((long) rtsm() * rtsn(), red), (long) aq * ac); }

        String defines() {
            return "-DTSM=" + tsm + " -DTSN=" + tsn + " -DTSK=" + tsk + " -DWPTM=" + wptm + " -DWPTN=" + wptn
                    + " -DRED=" + red + " -DAQ=" + aq + " -DAC=" + ac + " -DAK=" + ak;
        }
    }

    /** Tile sizes for tuning on a new device: {@code TSM,TSN,TSK,WPTM,WPTN,RED,AQ,AC,AK} (see kernels.cl). */
    static final String TILES_PROPERTY = "perceiver.opencl.tiles";

    private static final Map<String, ClRuntime> CACHE = new ConcurrentHashMap<>();

    final ClDevice device;
    final Tiles tiles;
    final String options;
    /** Milliseconds the program took to build (0 when it came from the process cache). */
    final long buildMillis;
    private final cl_context context;
    private final cl_command_queue queue;
    private final Map<String, cl_kernel> kernels = new HashMap<>();
    /** A one-float buffer bound to pointer arguments that a launch does not use (no mask, no bias). */
    final cl_mem dummy;

    private ClRuntime(ClDevice device, String extraOptions, String source) {
        this.device = device;
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, device.platform());
        try {
            context = clCreateContext(props, 1, new cl_device_id[] {device.id()}, null, null, null);
            queue = clCreateCommandQueue(context, device.id(), 0, null);
            dummy = clCreateBuffer(context, CL_MEM_READ_WRITE, Sizeof.cl_float, null, null);
        } catch (CLException e) {
            throw new BackendUnavailableException("cannot open OpenCL device " + device.label() + ": "
                    + e.getMessage(), e);
        }
        Tiles chosen = Tiles.fromProperty();
        if (chosen == null) chosen = device.maxWorkGroup() >= Tiles.DEFAULT.largestGroup() ? Tiles.DEFAULT : Tiles.SMALL;
        this.tiles = chosen;
        this.options = ("-cl-std=CL1.2 " + chosen.defines() + " " + (extraOptions == null ? "" : extraOptions)).strip();
        long t0 = System.nanoTime();
        cl_program program;
        try {
            program = build(source);
        } catch (BackendUnavailableException e) {
            clReleaseMemObject(dummy);
            clReleaseCommandQueue(queue);
            clReleaseContext(context);
            throw e;
        }
        this.buildMillis = (System.nanoTime() - t0) / 1_000_000;
        for (String k : KERNELS) {
            cl_kernel kernel = clCreateKernel(program, k, null);
            long[] wg = new long[1];
            clGetKernelWorkGroupInfo(kernel, device.id(), CL_KERNEL_WORK_GROUP_SIZE, Sizeof.size_t, Pointer.to(wg), null);
            long need = switch (k) {
                case "matmul" -> (long) chosen.rtsm() * chosen.rtsn();
                case "softmax_rows", "layernorm" -> chosen.red();
                case "attend_stream" -> (long) chosen.aq() * chosen.ac();
                default -> 1;
            };
            if (wg[0] < need) {
                throw new BackendUnavailableException("OpenCL kernel '" + k + "' runs at most " + wg[0]
                        + " work-items per group on " + device.label() + ", it needs " + need);
            }
            kernels.put(k, kernel);
        }
    }

    /**
     * The runtime of {@code device} with the kernels built with {@code extraOptions} (null: none), from the process
     * cache or built now.
     *
     * @throws BackendUnavailableException when the context cannot be created or the kernels do not build
     */
    static ClRuntime of(ClDevice device, String extraOptions) {
        String key = device.index() + "|" + device.name() + "|" + (extraOptions == null ? "" : extraOptions) + "|"
                + System.getProperty(TILES_PROPERTY, "");
        ClRuntime rt = CACHE.get(key);
        if (rt != null) return rt;
        synchronized (CACHE) {
            return CACHE.computeIfAbsent(key, k -> new ClRuntime(device, extraOptions, source()));
        }
    }

    /** Builds {@code source} on this runtime's device (for tests of the build-failure path). */
    static void buildOnly(ClDevice device, String extraOptions, String source) {
        new ClRuntime(device, extraOptions, source);
    }

    private cl_program build(String source) {
        cl_program program = clCreateProgramWithSource(context, 1, new String[] {source}, null, null);
        try {
            clBuildProgram(program, 0, null, options, null, null);
            return program;
        } catch (CLException e) {
            String log = buildLog(program);
            throw new BackendUnavailableException("the OpenCL kernels failed to build on " + device.label() + " ("
                    + e.getMessage() + ", options '" + options + "')" + (log.isBlank() ? "" : ":\n" + log), e);
        }
    }

    private String buildLog(cl_program program) {
        try {
            long[] size = new long[1];
            clGetProgramBuildInfo(program, device.id(), CL_PROGRAM_BUILD_LOG, 0, null, size);
            byte[] b = new byte[(int) size[0]];
            clGetProgramBuildInfo(program, device.id(), CL_PROGRAM_BUILD_LOG, b.length, Pointer.to(b), null);
            String s = new String(b, StandardCharsets.UTF_8).replace("\0", "").strip();
            return s.length() > 4000 ? s.substring(0, 4000) + "\n..." : s;
        } catch (CLException e) {
            return "";
        }
    }

    static String source() {
        try (InputStream in = ClRuntime.class.getResourceAsStream(SOURCE)) {
            if (in == null) throw new BackendUnavailableException("OpenCL kernel source " + SOURCE + " missing from the build");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BackendUnavailableException("cannot read OpenCL kernel source: " + e.getMessage(), e);
        }
    }

    // ---- buffers -------------------------------------------------------------------------------------------

    cl_mem create(long bytes) {
        return clCreateBuffer(context, CL_MEM_READ_WRITE, Math.max(bytes, Sizeof.cl_float), null, null);
    }

    cl_mem create(float[] data, int offset, int count) {
        if (count == 0) return create(0);
        return clCreateBuffer(context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, (long) count * Sizeof.cl_float,
                Pointer.to(data).withByteOffset((long) offset * Sizeof.cl_float), null);
    }

    void read(cl_mem mem, float[] dst, int offset, int count) {
        if (count == 0) return;
        synchronized (this) {
            clEnqueueReadBuffer(queue, mem, CL_TRUE, 0, (long) count * Sizeof.cl_float,
                    Pointer.to(dst).withByteOffset((long) offset * Sizeof.cl_float), 0, null, null);
        }
    }

    void copy(cl_mem src, cl_mem dst, long dstOffsetFloats, long countFloats) {
        if (countFloats == 0) return;
        synchronized (this) {
            clEnqueueCopyBuffer(queue, src, dst, 0, dstOffsetFloats * Sizeof.cl_float, countFloats * Sizeof.cl_float,
                    0, null, null);
        }
    }

    void zero(cl_mem mem, long countFloats) {
        if (countFloats == 0) return;
        synchronized (this) {
            clEnqueueFillBuffer(queue, mem, Pointer.to(new float[] {0f}), Sizeof.cl_float, 0,
                    countFloats * Sizeof.cl_float, 0, null, null);
        }
    }

    /** Waits for everything enqueued (benchmarks). */
    void finish() {
        synchronized (this) {
            clFinish(queue);
        }
    }

    /**
     * Sets the arguments of kernel {@code name} ({@link Integer} → int, {@link Float} → float, {@link cl_mem} →
     * buffer) and enqueues it over {@code global} (a multiple of {@code local}; {@code local} null lets the
     * runtime choose).
     */
    void launch(String name, long[] global, long[] local, Object... args) {
        cl_kernel k = kernels.get(name);
        synchronized (this) {
            for (int i = 0; i < args.length; i++) {
                Object a = args[i];
                if (a instanceof Integer v) clSetKernelArg(k, i, Sizeof.cl_int, Pointer.to(new int[] {v}));
                else if (a instanceof Float v) clSetKernelArg(k, i, Sizeof.cl_float, Pointer.to(new float[] {v}));
                else if (a instanceof cl_mem m) clSetKernelArg(k, i, Sizeof.cl_mem, Pointer.to(m));
                else throw new IllegalArgumentException("kernel argument " + i + " of " + name + ": " + a);
            }
            clEnqueueNDRangeKernel(queue, k, global.length, null, global, local, 0, null, null);
        }
    }
}
