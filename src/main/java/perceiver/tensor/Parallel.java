package perceiver.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The shared worker pool every kernel runs on. Its size is set once per process: system property
 * {@code perceiver.threads}, else the number of available processors; {@link #setThreads} replaces it.
 *
 * <p>Kernels split work into index ranges whose boundaries never change the arithmetic of an output element, so
 * results are bitwise identical for any pool size. A pool of T threads is the calling thread and T - 1 workers: the
 * caller publishes the ranges, wakes the workers and takes ranges itself until none is left, each thread claiming
 * the next free range. A worker between jobs, and the caller waiting for the last ranges, spin for
 * {@link #SPIN_NANOS} before they park, so that the next job of a forward pass (microseconds later) finds the workers
 * awake and the end of a job is seen at once. Work submitted from inside a range body runs inline (no nested
 * parallelism, no deadlock); callers on different threads take turns.
 */
public final class Parallel {
    /**
     * Most ranges per thread in {@link #forRange}: threads claim ranges as they finish, so finer ranges even out
     * a core that runs slower for a while (on this 2-vCPU host, while another tenant shares its physical core).
     * Paired passes of products on 2 threads, 16 against 4: +5 to +7 % geometric mean at 256 × 1280 × 1280,
     * 512 × 1024 × 1024 and 2048 × 768 × 1280 (bench/RESULTS.md, session 7).
     */
    static final int RANGES_PER_THREAD = 16;
    /**
     * How long an idle worker polls for the next job, and the caller for the end of one, before parking (a forward
     * pass starts a job every ~0.1-1 ms).
     */
    static final long SPIN_NANOS = 200_000;

    private static volatile Pool pool = new Pool(defaultThreads());

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

    /** Replaces the pool by one of {@code threads} threads (the caller and {@code threads - 1} workers). */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        Pool old = pool;
        pool = new Pool(threads);
        old.shutdown();
    }

    public static int threads() { return pool.threads; }

    /** A body over the index range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into contiguous ranges of at least {@code grain} indices, on the
     * pool, and returns when all have run (rethrowing the first failure). Runs inline when there is one range, one
     * thread, or the caller is running a range already.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        Pool p = pool;
        int ranges = Math.min(Math.max(1, n / Math.max(1, grain)), p.threads * RANGES_PER_THREAD);
        if (ranges <= 1 || p.threads == 1 || !p.run(new Job(n, ranges, body))) body.run(0, n);
    }

    /** One {@link #forRange} call: ranges are claimed through {@code next} and counted down in {@code left}. */
    private static final class Job {
        final int n, ranges;
        final RangeBody body;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger left;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread caller = Thread.currentThread();

        Job(int n, int ranges, RangeBody body) {
            this.n = n;
            this.ranges = ranges;
            this.body = body;
            this.left = new AtomicInteger(ranges);
        }

        /** Runs free ranges until none is left; the thread finishing the last one wakes the caller. */
        void work() {
            for (int r; (r = next.getAndIncrement()) < ranges; ) {
                try {
                    body.run((int) ((long) n * r / ranges), (int) ((long) n * (r + 1) / ranges));
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
                if (left.decrementAndGet() == 0 && Thread.currentThread() != caller) LockSupport.unpark(caller);
            }
        }
    }

    private static final class Pool {
        final int threads;
        private final Worker[] workers;
        private final ReentrantLock lock = new ReentrantLock();
        private final ThreadLocal<Boolean> inRange = ThreadLocal.withInitial(() -> false);
        private volatile Job job;
        private volatile boolean shutdown;

        Pool(int threads) {
            this.threads = threads;
            this.workers = new Worker[threads - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(this, i);
                workers[i].start();
            }
        }

        /** Runs {@code j} on the caller and the workers; false (nothing run) when called from inside a range. */
        boolean run(Job j) {
            if (inRange.get()) return false;
            lock.lock();
            inRange.set(true);
            try {
                job = j;
                for (Worker w : workers) LockSupport.unpark(w);
                j.work();
                await(() -> j.left.get() == 0);
            } finally {
                job = null;
                inRange.set(false);
                lock.unlock();
            }
            Throwable t = j.failure.get();
            if (t instanceof RuntimeException e) throw e;
            if (t instanceof Error e) throw e;
            if (t != null) throw new IllegalStateException(t);
            return true;
        }

        void shutdown() {
            shutdown = true;
            for (Worker w : workers) LockSupport.unpark(w);
        }
    }

    private static final class Worker extends Thread {
        private final Pool pool;

        Worker(Pool pool, int index) {
            super("perceiver-worker-" + index);
            this.pool = pool;
            setDaemon(true);
        }

        @Override
        public void run() {
            pool.inRange.set(true);
            Job done = null;
            while (true) {
                Job last = done;
                await(() -> pool.shutdown || (pool.job != null && pool.job != last));
                if (pool.shutdown) return;
                Job j = pool.job;
                if (j != null) {
                    done = j;
                    j.work();
                }
            }
        }
    }

    /**
     * Returns when {@code ready} holds: polls for {@link #SPIN_NANOS}, then parks between polls (whoever makes it
     * true unparks this thread).
     */
    private static void await(BooleanSupplier ready) {
        long since = System.nanoTime();
        while (!ready.getAsBoolean()) {
            if (System.nanoTime() - since < SPIN_NANOS) Thread.onSpinWait();
            else LockSupport.park();
        }
    }
}
