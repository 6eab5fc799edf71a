package perceiver.tensor;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;

/** Random test data and tolerant comparisons shared by the tensor tests. */
final class Arrays2 {
    private Arrays2() {}

    /** {@code n} uniform values in {@code [-1, 1)}. */
    static float[] uniform(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = r.nextFloat() * 2f - 1f;
        return x;
    }

    /** {@code n} standard normal values times {@code sigma}. */
    static float[] normal(Random r, int n, float sigma) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian() * sigma;
        return x;
    }

    /** A key mask of length {@code m}: 0 or {@code -Float.MAX_VALUE} (HF's finfo.min) with probability {@code p}. */
    static float[] mask(Random r, int m, double p) {
        float[] mask = new float[m];
        for (int j = 0; j < m; j++) if (r.nextDouble() < p) mask[j] = -Float.MAX_VALUE;
        return mask;
    }

    /** Fails unless {@code |e - a| <= abs + rel·|e|} element-wise. */
    static void assertClose(float[] expected, float[] actual, double abs, double rel, String what) {
        if (expected.length != actual.length) fail(what + ": lengths " + expected.length + " vs " + actual.length);
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            if (!(Math.abs(e - a) <= abs + rel * Math.abs(e))) {
                fail(what + ": element " + i + " expected " + e + " but was " + a + " (diff " + Math.abs(e - a) + ")");
            }
        }
    }

    /** Fails unless the two arrays hold the same bits. */
    static void assertBitwise(float[] expected, float[] actual, String what) {
        if (expected.length != actual.length) fail(what + ": lengths " + expected.length + " vs " + actual.length);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": element " + i + " expected " + expected[i] + " but was " + actual[i]);
            }
        }
    }

    /** Runs {@code body} with the pool at each thread count in turn, restoring the original count afterwards. */
    static void withThreads(int threads, Runnable body) {
        int old = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            body.run();
        } finally {
            Parallel.setThreads(old);
        }
    }

    /** The result of {@code compute} for 1, 2 and 3 threads must have the same bits. */
    static void assertThreadInvariant(java.util.function.Supplier<float[]> compute, String what) {
        float[][] results = new float[3][];
        for (int t = 1; t <= 3; t++) {
            int i = t - 1;
            withThreads(t, () -> results[i] = compute.get());
        }
        assertBitwise(results[0], results[1], what + " (2 threads vs 1)");
        assertBitwise(results[0], results[2], what + " (3 threads vs 1)");
    }
}
