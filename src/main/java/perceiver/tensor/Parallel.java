package perceiver.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * The shared worker pool every kernel runs on. Its size is set once per process: system property
 * {@code perceiver.threads}, else the number of available processors; {@link #setThreads} replaces it.
 *
 * <p>Kernels split work into index ranges whose boundaries never change the arithmetic of an output element, so
 * results are bitwise identical for any pool size. Work submitted from inside a pool worker runs inline (no nested
 * parallelism, no deadlock).
 */
public final class Parallel {
    /**
     * Most ranges per worker in {@link #forRange}: the workers steal ranges from each other, so finer ranges even out
     * a core that runs slower for a while (on this 2-vCPU host, while another tenant shares its physical core).
     * Paired passes of products on 2 threads, 16 against 4: +5 to +7 % geometric mean at 256 × 1280 × 1280,
     * 512 × 1024 × 1024 and 2048 × 768 × 1280 (bench/RESULTS.md, session 7).
     */
    static final int RANGES_PER_THREAD = 16;
    private static volatile ForkJoinPool pool = newPool(defaultThreads());

    private Parallel() {}

    private static int defaultThreads() {
        String p = System.getProperty("perceiver.threads");
        if (p != null && !p.isBlank()) {
            try {
                int n = Integer.parseInt(p.trim());
                if (n >= 1) return n;
            } catch (NumberFormatException ignored) {
                // fall through to the processor count
            }
            throw new IllegalArgumentException("perceiver.threads must be a positive integer, got '" + p + "'");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    private static ForkJoinPool newPool(int threads) {
        ForkJoinPool.ForkJoinWorkerThreadFactory factory = p -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("perceiver-worker-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        };
        return new ForkJoinPool(threads, factory, null, false);
    }

    /** Replaces the pool by one of {@code threads} workers. */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        ForkJoinPool old = pool;
        pool = newPool(threads);
        old.shutdown();
    }

    public static int threads() { return pool.getParallelism(); }

    /** A body over the index range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into contiguous ranges of at least {@code grain} indices, on the
     * pool, and waits. Runs inline when there is one range, one worker, or the caller is a worker already.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        ForkJoinPool p = pool;
        int threads = p.getParallelism();
        int chunks = Math.min(Math.max(1, n / Math.max(1, grain)), threads * RANGES_PER_THREAD);
        boolean inWorker = Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == p;
        if (chunks <= 1 || threads == 1 || inWorker) {
            body.run(0, n);
            return;
        }
        List<ForkJoinTask<?>> tasks = new ArrayList<>(chunks);
        for (int c = 0; c < chunks; c++) {
            int from = (int) ((long) n * c / chunks);
            int to = (int) ((long) n * (c + 1) / chunks);
            tasks.add(ForkJoinTask.adapt(() -> body.run(from, to)));
        }
        if (tasks.size() == 1) {
            body.run(0, n);
            return;
        }
        p.submit(() -> ForkJoinTask.invokeAll(tasks)).join();
    }
}
