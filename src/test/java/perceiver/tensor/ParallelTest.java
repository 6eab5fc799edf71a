package perceiver.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {

    @Test
    void everyIndexRunsExactlyOnce() {
        for (int threads = 1; threads <= 3; threads++) {
            Arrays2.withThreads(threads, () -> {
                for (int n : new int[] {0, 1, 2, 5, 17, 1000}) {
                    for (int grain : new int[] {1, 3, 64}) {
                        AtomicIntegerArray hits = new AtomicIntegerArray(n);
                        Parallel.forRange(n, grain, (from, to) -> {
                            for (int i = from; i < to; i++) hits.incrementAndGet(i);
                        });
                        for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "index " + i + " of " + n);
                    }
                }
            });
        }
    }

    @Test
    void nestedRangesRunInline() {
        Arrays2.withThreads(2, () -> {
            AtomicIntegerArray hits = new AtomicIntegerArray(100);
            Parallel.forRange(10, 1, (from, to) -> {
                for (int i = from; i < to; i++) {
                    int base = i * 10;
                    Parallel.forRange(10, 1, (f, t) -> {
                        for (int j = f; j < t; j++) hits.incrementAndGet(base + j);
                    });
                }
            });
            for (int i = 0; i < 100; i++) assertEquals(1, hits.get(i));
        });
    }

    /** A failing range fails the call with its exception once every range has finished; the pool works on. */
    @Test
    void aFailureIsRethrownAndThePoolWorksOn() {
        Arrays2.withThreads(2, () -> {
            AtomicIntegerArray hits = new AtomicIntegerArray(64);
            IllegalStateException e = assertThrows(IllegalStateException.class, () ->
                    Parallel.forRange(64, 1, (from, to) -> {
                        for (int i = from; i < to; i++) hits.incrementAndGet(i);
                        if (from <= 40 && 40 < to) throw new IllegalStateException("range with 40");
                    }));
            assertEquals("range with 40", e.getMessage());
            for (int i = 0; i < 64; i++) assertEquals(1, hits.get(i), "index " + i + " ran once");
            AtomicIntegerArray again = new AtomicIntegerArray(64);
            Parallel.forRange(64, 1, (from, to) -> {
                for (int i = from; i < to; i++) again.incrementAndGet(i);
            });
            for (int i = 0; i < 64; i++) assertEquals(1, again.get(i));
        });
    }

    /** Calls from several threads at once take turns; each covers its own range exactly once. */
    @Test
    void concurrentCallersEachGetTheirRange() {
        Arrays2.withThreads(2, () -> {
            int callers = 4, n = 5000;
            AtomicIntegerArray hits = new AtomicIntegerArray(callers * n);
            Thread[] threads = new Thread[callers];
            for (int c = 0; c < callers; c++) {
                int base = c * n;
                threads[c] = new Thread(() -> {
                    for (int rep = 0; rep < 50; rep++) {
                        Parallel.forRange(n, 16, (from, to) -> {
                            for (int i = from; i < to; i++) hits.incrementAndGet(base + i);
                        });
                    }
                });
                threads[c].start();
            }
            for (Thread t : threads) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
            for (int i = 0; i < callers * n; i++) assertEquals(50, hits.get(i), "index " + i);
        });
    }

    @Test
    void threadCountIsConfigurable() {
        Arrays2.withThreads(3, () -> assertEquals(3, Parallel.threads()));
        assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
    }
}
