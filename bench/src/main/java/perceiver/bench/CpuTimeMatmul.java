package perceiver.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import perceiver.tensor.Matmul;
import perceiver.tensor.PackedMatrix;
import perceiver.tensor.Parallel;

/**
 * One-thread matmul throughput per CPU-second (thread CPU time, not wall time), for comparisons on a machine that
 * other work is loading: time the process is not scheduled does not count. Shapes {@code m x n x k} are linear
 * layers ({@code [m,k]·W[n,k]ᵀ}, W packed once). Prints {@code shape median best} in GFLOP per CPU-second;
 * {@code bench/cpu_time.sh} sets numpy's figures (process CPU time, one OpenBLAS thread) beside them.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp ... perceiver.bench.CpuTimeMatmul SECONDS SHAPE...</pre>
 */
public final class CpuTimeMatmul {
    private CpuTimeMatmul() {}

    public static void main(String[] args) {
        Parallel.setThreads(1);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        double seconds = Double.parseDouble(args[0]);
        for (String shape : Arrays.copyOfRange(args, 1, args.length)) {
            int[] d = KernelBenchmark.dims(shape);
            int m = d[0], n = d[1], k = d[2];
            float[] a = KernelBenchmark.random(m * k, 1), c = new float[Math.multiplyExact(m, n)];
            PackedMatrix w = PackedMatrix.pack(k, n, KernelBenchmark.random(n * k, 2), 0, k, true);
            for (int i = 0; i < 2; i++) Matmul.gemmPacked(m, a, 0, k, w, c, 0, n, false);
            double[] times = new double[1 << 16];
            int calls = 0;
            long start = System.nanoTime();
            while ((System.nanoTime() - start < seconds * 1e9 || calls < 3) && calls < times.length) {
                long t = mx.getCurrentThreadCpuTime();
                Matmul.gemmPacked(m, a, 0, k, w, c, 0, n, false);
                times[calls++] = (mx.getCurrentThreadCpuTime() - t) / 1e9;
            }
            double[] sorted = Arrays.copyOf(times, calls);
            Arrays.sort(sorted);
            double flop = 2.0 * m * n * k;
            System.out.printf("%s %.1f %.1f%n", shape, flop / sorted[calls / 2] / 1e9, flop / sorted[0] / 1e9);
        }
    }
}
