package perceiver.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import perceiver.tensor.Elementwise;
import perceiver.tensor.Matmul;
import perceiver.tensor.PackedMatrix;

/**
 * A linear layer with bias, {@code "m x n x k"}: {@code y = x·Wᵀ + b} with W packed once. {@code fused}: the bias
 * added by the matmul's micro-kernel to each finished tile; {@code separate}: matmul, then a pass of
 * {@link Elementwise#addRowVector}.
 */
public class LinearBenchmark extends KernelBenchmark {
    @Param({"2048x1280x768", "182528x322x64", "182528x512x322"})
    public String shape;

    private int m, n, k;
    private float[] x, y, bias;
    private PackedMatrix w;

    @Setup
    public void setup() {
        int[] d = dims(shape);
        m = d[0];
        n = d[1];
        k = d[2];
        x = random(m * k, 1);
        w = PackedMatrix.pack(k, n, random(n * k, 2), 0, k, true);
        bias = random(n, 3);
        y = new float[Math.multiplyExact(m, n)];
    }

    @Benchmark
    public float[] fused() {
        Matmul.gemmPacked(m, x, 0, k, w, y, 0, n, false, bias, 0);
        return y;
    }

    @Benchmark
    public float[] separate() {
        Matmul.gemmPacked(m, x, 0, k, w, y, 0, n, false);
        Elementwise.addRowVector(y, 0, m, n, bias, 0);
        return y;
    }
}
