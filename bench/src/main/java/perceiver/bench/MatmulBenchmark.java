package perceiver.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import perceiver.tensor.Matmul;
import perceiver.tensor.PackedMatrix;

/**
 * Matrix products at the published models' shapes, {@code "m x n x k"} plus the operand kind:
 * <ul>
 *   <li>{@code w}: a linear layer {@code [m,k] · W[n,k]ᵀ}, W packed once at setup (as the model does at load);</li>
 *   <li>{@code cold}: the same, each call with the next of as many weights as fill {@link #COLD_BYTES}, twice this
 *   machine's L3, so that the weight comes from memory as in a forward pass, where every layer has its own;</li>
 *   <li>{@code bt}: {@code [m,k] · B[n,k]ᵀ} with B packed in every call (q·kᵀ);</li>
 *   <li>{@code b}: {@code [m,k] · B[k,n]} with B packed in every call (probabilities · v).</li>
 * </ul>
 * GFLOP/s = 2·m·n·k / time; {@code bench/report.py} converts and sets numpy's figures beside them.
 */
public class MatmulBenchmark extends KernelBenchmark {
    /** Bytes of the weights a {@code cold} case cycles through. */
    static final long COLD_BYTES = 64L << 20;

    @Param({"2048x1280x768/w", "256x1280x1280/w", "256x1280x1280/cold", "512x1024x1024/cold", "2048x512x2048/w",
            "2048x2048x512/w", "182528x322x64/w", "182528x512x322/w", "182528x2048x322/w", "2048x2048x64/bt",
            "2048x64x2048/b", "96x256x64/bt", "96x64x256/b"})
    public String shape;

    private int m, n, k;
    private boolean packedWeight, transposed;
    private float[] a, b, c;
    private PackedMatrix[] weights;
    private int next;

    @Setup
    public void setup() {
        String[] parts = shape.split("/");
        int[] d = dims(parts[0]);
        m = d[0];
        n = d[1];
        k = d[2];
        packedWeight = parts[1].equals("w") || parts[1].equals("cold");
        transposed = !parts[1].equals("b");
        a = random(m * k, 1);
        b = random(n * k, 2);
        c = new float[Math.multiplyExact(m, n)];
        if (packedWeight) {
            int count = parts[1].equals("cold") ? (int) Math.max(1, COLD_BYTES / (4L * n * k)) : 1;
            weights = new PackedMatrix[count];
            for (int i = 0; i < count; i++) weights[i] = PackedMatrix.pack(k, n, random(n * k, 2 + i), 0, k, true);
        }
    }

    @Benchmark
    public float[] matmul() {
        if (packedWeight) {
            Matmul.gemmPacked(m, a, 0, k, weights[next], c, 0, n, false);
            next = (next + 1) % weights.length;
        } else {
            Matmul.gemm(m, n, k, a, 0, k, b, 0, transposed ? k : n, transposed, c, 0, n, false);
        }
        return c;
    }
}
