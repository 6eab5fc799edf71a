import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import perceiver.core.Trace;
import perceiver.golden.PublishedConfig;
import perceiver.models.Inputs;
import perceiver.models.Models;
import perceiver.models.Parameters;
import perceiver.models.PerceiverTask;
import perceiver.tensor.Backend;
import perceiver.tensor.CpuBackend;
import perceiver.tensor.LongTensor;
import perceiver.tensor.PackedMatrix;
import perceiver.tensor.Tensor;
import perceiver.tensor.opencl.ClArray;
import perceiver.tensor.opencl.OpenCl;
import perceiver.tensor.opencl.OpenClBackend;

/**
 * CPU backend vs OpenCL backend: the kernels at the sizes of the published models, and whole forward passes (the
 * golden models, and the full-size language perceiver with random weights). Prints Markdown rows for
 * bench/RESULTS.md. Run from the repository root after {@code ./mvnw -B -q package -DskipTests}:
 *
 * <pre>
 *   bench/opencl/run.sh [--device N] [--quick]
 * </pre>
 *
 * Times are medians of several runs after warm-up; an OpenCL time includes waiting for the device (clFinish). A
 * whole-model time goes from host inputs to host outputs (uploads and downloads included), weights already on the
 * device; the first call (weight upload, kernel build from the process cache) is shown separately.
 */
public class OpenClBench {
    static int runs = 5;

    public static void main(String[] args) throws Exception {
        String device = null;
        boolean quick = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--device")) device = args[++i];
            else if (args[i].equals("--quick")) quick = true;
            else throw new IllegalArgumentException("unknown argument " + args[i]);
        }
        long t0 = System.nanoTime();
        OpenClBackend cl = OpenCl.open(device, Long.MAX_VALUE, null);
        System.out.printf("OpenCL device: %s%nprogram build: %d ms (backend open: %d ms)%nCPU: %d threads, %s%n%n",
                cl.device(), cl.buildMillis(), (System.nanoTime() - t0) / 1_000_000,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"));

        System.out.println("| kernel | shape | CPU ms | OpenCL ms | OpenCL / CPU |");
        System.out.println("|---|---|---:|---:|---:|");
        Random r = new Random(1);
        linear(cl, r, 256, 1280, 1280, "latent projection (language)");
        linear(cl, r, 2048, 768, 768, "decoder projection (language)");
        linear(cl, r, 2048, 261, 1280, "input K/V projection (language)");
        Tensor x = rand(r, 2048, 768);
        Tensor g = rand(r, 768), b = rand(r, 768);
        row("layerNorm", "[2048, 768]", () -> CpuBackend.INSTANCE.layerNorm(x, g, b, 1e-5f), cl,
                () -> cl.layerNorm(cl.upload(x), g, b, 1e-5f), true);
        row("gelu", "[2048, 768]", () -> CpuBackend.INSTANCE.gelu(x.copy()), cl, () -> cl.gelu(cl.upload(x)), true);
        row("add", "[2048, 768]", () -> CpuBackend.INSTANCE.add(x.copy(), x), cl,
                () -> { ClArray a = cl.upload(x); return cl.add(a, a); }, true);
        attention(cl, r, 256, 256, 8, 160, 160, "latent self-attention (language)");
        attention(cl, r, 256, 2048, 8, 32, 160, "encoder cross-attention (language)");
        attention(cl, r, 2048, 256, 8, 32, 96, "decoder cross-attention (language)");
        attention(cl, r, 512, 16384, 1, 64, 64, "long cross-attention, M = 16384");

        System.out.println();
        System.out.println("| model | input | CPU ms | OpenCL ms | OpenCL / CPU | OpenCL first call ms |");
        System.out.println("|---|---|---:|---:|---:|---:|");
        for (String c : List.of("mlm-bytes", "image-conv", "optical-flow", "multimodal-autoencoding")) golden(cl, c);
        if (!quick) language(cl);
    }

    static Tensor rand(Random r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.data()[i] = r.nextFloat() * 2 - 1;
        return t;
    }

    static void linear(OpenClBackend cl, Random r, int rows, int in, int out, String what) {
        Tensor x = rand(r, 1, rows, in);
        PackedMatrix w = PackedMatrix.packTransposed(rand(r, out, in));
        Tensor bias = rand(r, out);
        ClArray dx = cl.upload(x);
        row("linear, " + what, "[" + rows + ", " + in + "] x [" + in + ", " + out + "]",
                () -> CpuBackend.INSTANCE.linear(x, w, bias), cl, () -> cl.linear(dx, w, bias), false);
    }

    static void attention(OpenClBackend cl, Random r, int n, int m, int heads, int f, int fv, String what) {
        Tensor q = rand(r, 1, n, heads * f), k = rand(r, 1, m, heads * f), v = rand(r, 1, m, heads * fv);
        ClArray dq = cl.upload(q), dk = cl.upload(k), dv = cl.upload(v);
        row("attention (streamed), " + what, "N " + n + ", M " + m + ", H " + heads + ", F " + f + ", Fv " + fv,
                () -> CpuBackend.INSTANCE.attend(q, k, v, heads, null, null), cl,
                () -> cl.attend(dq, dk, dv, heads, null, null), false);
    }

    /** One table row: median ms of the CPU op and of the OpenCL op (inside a scope, waited for). */
    static void row(String what, String shape, Supplier<?> cpu, OpenClBackend cl, Supplier<?> ocl, boolean uploads) {
        double c = median(() -> cpu.get());
        double o = median(() -> {
            try (Backend.Scope s = cl.scope()) {
                ocl.get();
                cl.finish();
            }
        });
        System.out.printf("| %s%s | %s | %.2f | %.2f | %.1f |%n", what, uploads ? " (incl. upload)" : "", shape, c, o, o / c);
    }

    static double median(Runnable op) {
        for (int i = 0; i < 2; i++) op.run();
        double[] t = new double[runs];
        for (int i = 0; i < runs; i++) {
            long s = System.nanoTime();
            op.run();
            t[i] = (System.nanoTime() - s) / 1e6;
        }
        Arrays.sort(t);
        return t[runs / 2];
    }

    /** A golden case's model and stored inputs (from io.safetensors, as the golden runner reads them). */
    static void golden(OpenClBackend cl, String name) throws Exception {
        Path dir = Path.of("golden", name);
        var cfg = perceiver.models.PerceiverConfig.parse(
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("config.json").toFile()),
                dir.resolve("config.json"));
        PerceiverTask model;
        Inputs in = new Inputs();
        try (var store = perceiver.checkpoint.Checkpoints.open(dir.resolve("weights.safetensors"));
             var io = perceiver.checkpoint.Checkpoints.open(dir.resolve("io.safetensors"))) {
            model = Models.build(cfg, Parameters.fromStore(store));
            for (String n : io.names()) {
                boolean input = n.equals("inputs") || n.startsWith("inputs.") || n.equals("attention_mask")
                        || n.startsWith("full.subsampled_output_points.");
                if (!input) continue;
                String key = n.replaceFirst("^full\\.", "");
                if (io.info(n).dtype().isFloat()) in.put(key, io.floats(n));
                else in.put(key, new LongTensor(io.longs(n), io.info(n).shape()));
            }
        }
        model(cl, name + " (golden, tiny)", describe(in), model, in);
    }

    static String describe(Inputs in) {
        return in.has("inputs") ? shapeOf(in) : "audio + video + label";
    }

    static String shapeOf(Inputs in) {
        try {
            return Arrays.toString(in.tensor("inputs").shape());
        } catch (RuntimeException e) {
            return Arrays.toString(in.longs("inputs").shape());
        }
    }

    /** The full-size language perceiver (deepmind/language-perceiver architecture, random weights), 2048 bytes. */
    static void language(OpenClBackend cl) {
        var published = PublishedConfig.load(Path.of("golden/published-configs/language-perceiver.json"));
        PerceiverTask model = Models.build(published.config(), Parameters.random(7));
        int len = published.config().maxPositionEmbeddings();
        long[] ids = new long[len], mask = new long[len];
        Random r = new Random(3);
        for (int i = 0; i < len; i++) {
            ids[i] = 6 + r.nextInt(256);
            mask[i] = 1;
        }
        Inputs in = new Inputs().put("inputs", new LongTensor(ids, new int[] {1, len}))
                .put("attention_mask", new LongTensor(mask, new int[] {1, len}));
        runs = 3;
        model(cl, "language-perceiver (full size, random weights)", "[1, " + len + "] bytes", model, in);
    }

    static void model(OpenClBackend cl, String name, String input, PerceiverTask model, Inputs in) {
        double c = median(() -> model.forward(CpuBackend.INSTANCE, in, Trace.OFF));
        long s = System.nanoTime();
        model.forward(cl, in, Trace.OFF);
        double first = (System.nanoTime() - s) / 1e6;
        double o = median(() -> model.forward(cl, in, Trace.OFF));
        System.out.printf("| %s | %s | %.1f | %.1f | %.1f | %.0f |%n", name, input, c, o, o / c, first);
    }
}
