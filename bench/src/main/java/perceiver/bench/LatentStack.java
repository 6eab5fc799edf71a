package perceiver.bench;

import perceiver.nn.Linear;
import perceiver.tensor.CpuBackend;
import perceiver.tensor.Parallel;
import perceiver.tensor.Tensor;

/**
 * A latent self-attention stack as the models run it, timed op by op: {@code layers} layers of {@code n} latents
 * of width {@code d}, each with its own six {@code d × d} weights (Q, K, V, O, MLP in and out), so that every
 * weight arrives from memory as in a forward pass, unlike a kernel benchmark that repeats one product on a weight
 * that stays in cache. Prints milliseconds per stack by op and the linear layers' GFLOP/s; {@code bench/latent_stack.sh}
 * runs the PyTorch twin beside it.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp ... perceiver.bench.LatentStack THREADS N D LAYERS HEADS PASSES</pre>
 */
public final class LatentStack {
    private LatentStack() {}

    public static void main(String[] args) {
        int threads = Integer.parseInt(args[0]), n = Integer.parseInt(args[1]), d = Integer.parseInt(args[2]);
        int layers = Integer.parseInt(args[3]), heads = Integer.parseInt(args[4]), passes = Integer.parseInt(args[5]);
        Parallel.setThreads(threads);
        CpuBackend be = CpuBackend.INSTANCE;
        Linear[][] w = new Linear[layers][6];
        for (int l = 0; l < layers; l++) {
            for (int j = 0; j < 6; j++) {
                w[l][j] = Linear.of(Tensor.of(KernelBenchmark.random(d * d, 10L * l + j), d, d),
                        Tensor.of(KernelBenchmark.random(d, l), d));
            }
        }
        Tensor gamma = Tensor.of(KernelBenchmark.random(d, 3), d), beta = Tensor.of(KernelBenchmark.random(d, 4), d);
        String[] ops = {"layernorm", "q,k,v", "attend", "output", "mlp", "residuals"};
        long[] ns = new long[ops.length];
        Tensor x = Tensor.of(KernelBenchmark.random(n * d, 5), 1, n, d);
        for (int pass = 0; pass < passes + 1; pass++) {
            if (pass == 1) java.util.Arrays.fill(ns, 0); // pass 0 warms up
            for (int l = 0; l < layers; l++) {
                long t0 = System.nanoTime();
                Tensor xn = be.layerNorm(x, gamma, beta, 1e-12f);
                long t1 = System.nanoTime();
                Tensor q = w[l][0].forward(be, xn), k = w[l][1].forward(be, xn), v = w[l][2].forward(be, xn);
                long t2 = System.nanoTime();
                Tensor ctx = be.attend(q, k, v, heads, null, null);
                long t3 = System.nanoTime();
                Tensor h = be.add(w[l][3].forward(be, ctx), x);
                long t4 = System.nanoTime();
                Tensor hn = be.layerNorm(h, gamma, beta, 1e-12f);
                long t5 = System.nanoTime();
                Tensor m = w[l][5].forward(be, be.gelu(w[l][4].forward(be, hn)));
                long t6 = System.nanoTime();
                x = be.layerNorm(be.add(m, h), gamma, beta, 1e-12f); // renormalised so that values stay bounded
                long t7 = System.nanoTime();
                ns[0] += t1 - t0 + t5 - t4;
                ns[1] += t2 - t1;
                ns[2] += t3 - t2;
                ns[3] += t4 - t3;
                ns[4] += t6 - t5;
                ns[5] += t7 - t6;
            }
        }
        StringBuilder line = new StringBuilder("java threads " + threads + ", ms per stack:");
        for (int i = 0; i < ops.length; i++) line.append(String.format(" %s %.0f", ops[i], ns[i] / 1e6 / passes));
        double linearSeconds = (ns[1] + ns[3] + ns[4]) / 1e9 / passes;
        line.append(String.format("; linear layers %.1f GFLOP/s", 6.0 * 2 * n * d * d * layers / linearSeconds / 1e9));
        System.out.println(line);
    }
}
