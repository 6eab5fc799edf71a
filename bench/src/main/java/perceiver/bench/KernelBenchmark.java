package perceiver.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import perceiver.tensor.Parallel;

/**
 * Settings shared by the kernel benchmarks (JMH inherits them): average time per call, one fork with the Vector
 * API module, and the pool size as the {@code threads} parameter. Each benchmark's {@code shape} parameter lists
 * the same cases as {@code bench/numpy_bench.py}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx8g"})
public abstract class KernelBenchmark {
    @Param({"1", "2"})
    public int threads;

    @Setup(Level.Trial)
    public void pool() {
        if (Parallel.threads() != threads) Parallel.setThreads(threads);
    }

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }

    /** Parses {@code "AxBxC..."} into ints. */
    static int[] dims(String shape) {
        String[] parts = shape.split("x");
        int[] d = new int[parts.length];
        for (int i = 0; i < parts.length; i++) d[i] = Integer.parseInt(parts[i]);
        return d;
    }
}
