package perceiver.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import perceiver.tensor.AttentionKernel;
import perceiver.tensor.Tensor;

/**
 * Attention over projected q, k, v: {@code "N x M x heads x dk x dv"}. {@code streamed}: no probabilities (the
 * linear-memory path); {@code withProbs}: probabilities materialised into {@code [heads, N, M]}.
 * FLOPs counted as {@code 2·N·M·heads·(dk + dv)} (the two products).
 */
public class AttentionBenchmark extends KernelBenchmark {
    /**
     * Latent self-attention (8 heads of 160), a text encoder cross-attention, a slice of the flow encoder, the flow
     * model's latent self-attention (16 heads of 32).
     */
    @Param({"256x256x8x160x160", "256x2048x8x32x160", "2048x16384x1x64x64", "2048x2048x16x32x32"})
    public String shape;

    private Tensor q, k, v, out, probs;
    private float[] mask;
    private int heads;

    @Setup
    public void setup() {
        int[] d = dims(shape);
        int n = d[0], m = d[1], dk = d[3], dv = d[4];
        heads = d[2];
        q = Tensor.of(random(n * heads * dk, 1), n, heads * dk);
        k = Tensor.of(random(m * heads * dk, 2), m, heads * dk);
        v = Tensor.of(random(m * heads * dv, 3), m, heads * dv);
        out = Tensor.zeros(n, heads * dv);
        probs = Tensor.zeros(heads, n, m);
        mask = new float[m];
        for (int j = m - m / 8; j < m; j++) mask[j] = -Float.MAX_VALUE;
    }

    @Benchmark
    public Tensor streamed() {
        AttentionKernel.attend(q, k, v, heads, mask, out, null);
        return out;
    }

    @Benchmark
    public Tensor withProbs() {
        AttentionKernel.attend(q, k, v, heads, mask, out, probs);
        return out;
    }
}
