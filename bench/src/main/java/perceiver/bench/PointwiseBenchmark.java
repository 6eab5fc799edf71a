package perceiver.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import perceiver.tensor.Elementwise;
import perceiver.tensor.Gelu;
import perceiver.tensor.LayerNormKernel;
import perceiver.tensor.Softmax;

/**
 * Row-wise and element-wise kernels over {@code "rows x n"}: softmax with a mask (in place, scale 1/8),
 * layernorm with affine step, exact GELU (over a fresh copy of the input), bias + residual add. Reported as time
 * per call; numpy's equivalents are in {@code bench/numpy_bench.py}.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PointwiseBenchmark extends KernelBenchmark {
    @Param({"2048x768", "256x1280", "2048x2048"})
    public String shape;

    private int rows, n;
    private float[] x, y, residual, gamma, beta, mask;

    @Setup
    public void setup() {
        int[] d = dims(shape);
        rows = d[0];
        n = d[1];
        x = random(rows * n, 1);
        y = new float[rows * n];
        residual = random(rows * n, 2);
        gamma = random(n, 3);
        beta = random(n, 4);
        mask = new float[n];
        for (int j = n - n / 8; j < n; j++) mask[j] = -Float.MAX_VALUE;
    }

    @Benchmark
    public float[] softmax() {
        Softmax.softmax(x, 0, rows, n, n, 0.125f, mask);
        return x;
    }

    @Benchmark
    public float[] layerNorm() {
        LayerNormKernel.layerNorm(x, 0, y, 0, rows, n, gamma, beta, 1e-5f);
        return y;
    }

    @Benchmark
    public float[] gelu() {
        System.arraycopy(residual, 0, y, 0, y.length);
        Gelu.gelu(y, 0, y.length);
        return y;
    }

    @Benchmark
    public float[] biasResidual() {
        Elementwise.addRowVector(y, 0, rows, n, gamma, 0);
        Elementwise.addInPlace(y, 0, residual, 0, y.length);
        return y;
    }
}
