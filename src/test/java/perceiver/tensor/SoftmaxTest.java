package perceiver.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SoftmaxTest {

    private interface Kernel {
        void run(float[] x, int off, int rows, int n, int ld, float scale, float[] mask);
    }

    private static final Kernel FAST = Softmax::softmax;
    private static final Kernel REFERENCE = Softmax::softmaxReference;

    @Test
    void fastMatchesReference() {
        qt().withExamples(300).forAll(integers().between(1, 9), integers().between(1, 150), longs().all())
                .checkAssert((rows, n, seed) -> {
                    Random r = new Random(seed);
                    int ld = n + r.nextInt(5), off = r.nextInt(4);
                    float scale = 0.1f + r.nextFloat() * 3f;
                    float[] mask = r.nextBoolean() ? Arrays2.mask(r, n, 0.3) : null;
                    float[] x = Arrays2.normal(r, off + rows * ld, 4f);
                    float[] ref = x.clone(), fast = x.clone();
                    REFERENCE.run(ref, off, rows, n, ld, scale, mask);
                    FAST.run(fast, off, rows, n, ld, scale, mask);
                    Arrays2.assertClose(ref, fast, 1e-7, 1e-5, "softmax rows=" + rows + " n=" + n + " ld=" + ld);
                    for (int i = 0; i < off; i++) assertEquals(x[i], fast[i], "before the window");
                });
    }

    @Test
    void rowsSumToOneAndMaskedEntriesAreExactlyZero() {
        for (Kernel kernel : new Kernel[] {FAST, REFERENCE}) {
            qt().withExamples(200).forAll(integers().between(1, 200), longs().all()).checkAssert((n, seed) -> {
                Random r = new Random(seed);
                float[] mask = Arrays2.mask(r, n, 0.4);
                mask[r.nextInt(n)] = 0f;
                int rows = 3;
                float[] x = Arrays2.normal(r, rows * n, 10f);
                kernel.run(x, 0, rows, n, n, 0.7f, mask);
                for (int row = 0; row < rows; row++) {
                    double sum = 0;
                    for (int j = 0; j < n; j++) {
                        float p = x[row * n + j];
                        if (mask[j] != 0f) assertEquals(0f, p, "masked probability at " + j);
                        sum += p;
                    }
                    assertEquals(1.0, sum, 2e-6 * Math.sqrt(n) + 1e-6, "row sum n=" + n);
                }
            });
        }
    }

    @Test
    void fullyMaskedRowIsUniformAsInHuggingFace() {
        for (Kernel kernel : new Kernel[] {FAST, REFERENCE}) {
            for (int n : new int[] {1, 5, 8, 19}) {
                float[] mask = new float[n];
                java.util.Arrays.fill(mask, -Float.MAX_VALUE);
                float[] x = Arrays2.normal(new Random(n), n, 3f);
                kernel.run(x, 0, 1, n, n, 0.125f, mask);
                for (float p : x) assertEquals(1f / n, p, 1e-7);
            }
        }
    }

    /** On a grid of quarter values with scale 1 the shifted inputs and their differences are exact: same bits. */
    @Test
    void invariantToAddingAConstantPerRow() {
        for (Kernel kernel : new Kernel[] {FAST, REFERENCE}) {
            qt().withExamples(200).forAll(integers().between(1, 100), integers().between(-64, 64), longs().all())
                    .checkAssert((n, shift, seed) -> {
                        Random r = new Random(seed);
                        float[] x = new float[n];
                        for (int j = 0; j < n; j++) x[j] = (r.nextInt(161) - 80) / 4f;
                        float[] shifted = new float[n];
                        for (int j = 0; j < n; j++) shifted[j] = x[j] + shift;
                        kernel.run(x, 0, 1, n, n, 1f, null);
                        kernel.run(shifted, 0, 1, n, n, 1f, null);
                        Arrays2.assertBitwise(x, shifted, "softmax(x + " + shift + ")");
                    });
        }
    }

    @Test
    void resultsDoNotDependOnThreadCount() {
        Random r = new Random(3);
        int rows = 300, n = 77;
        float[] x = Arrays2.normal(r, rows * n, 2f);
        float[] mask = Arrays2.mask(r, n, 0.2);
        Arrays2.assertThreadInvariant(() -> {
            float[] y = x.clone();
            Softmax.softmax(y, 0, rows, n, n, 0.5f, mask);
            return y;
        }, "softmax");
    }
}
