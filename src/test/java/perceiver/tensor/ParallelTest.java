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

    @Test
    void threadCountIsConfigurable() {
        Arrays2.withThreads(3, () -> assertEquals(3, Parallel.threads()));
        assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
    }
}
