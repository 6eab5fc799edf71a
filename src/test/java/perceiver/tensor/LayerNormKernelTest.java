package perceiver.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LayerNormKernelTest {

    @Test
    void fastMatchesReferenceWithAndWithoutAffine() {
        qt().withExamples(300).forAll(integers().between(1, 12), integers().between(1, 200), longs().all())
                .checkAssert((rows, n, seed) -> {
                    Random r = new Random(seed);
                    boolean affine = r.nextBoolean(), inPlace = r.nextBoolean();
                    float[] gamma = affine ? Arrays2.normal(r, n, 1f) : null;
                    float[] beta = affine ? Arrays2.normal(r, n, 1f) : null;
                    float shift = r.nextFloat() * 20f - 10f;
                    float[] x = Arrays2.normal(r, rows * n, 3f);
                    for (int i = 0; i < x.length; i++) x[i] += shift;
                    float[] ref = new float[rows * n];
                    LayerNormKernel.layerNormReference(x, 0, ref, 0, rows, n, gamma, beta, 1e-5f);
                    float[] fast;
                    if (inPlace) {
                        fast = x.clone();
                        LayerNormKernel.layerNorm(fast, 0, fast, 0, rows, n, gamma, beta, 1e-5f);
                    } else {
                        fast = new float[rows * n];
                        LayerNormKernel.layerNorm(x, 0, fast, 0, rows, n, gamma, beta, 1e-5f);
                    }
                    Arrays2.assertClose(ref, fast, 2e-5, 2e-5, "layernorm rows=" + rows + " n=" + n);
                });
    }

    @Test
    void outputHasMeanZeroAndVarianceOneBeforeTheAffineStep() {
        qt().withExamples(200).forAll(integers().between(2, 300), longs().all()).checkAssert((n, seed) -> {
            Random r = new Random(seed);
            int rows = 4;
            float[] x = Arrays2.normal(r, rows * n, 0.5f + 10f * r.nextFloat());
            for (int i = 0; i < x.length; i++) x[i] += 5f;
            float[] y = new float[x.length];
            LayerNormKernel.layerNorm(x, 0, y, 0, rows, n, null, null, 1e-12f);
            for (int row = 0; row < rows; row++) {
                double mean = 0, sq = 0, xMean = 0, xSq = 0, xMax = 0;
                for (int j = 0; j < n; j++) {
                    mean += y[row * n + j];
                    xMean += x[row * n + j];
                    xMax = Math.max(xMax, Math.abs(x[row * n + j]));
                }
                mean /= n;
                xMean /= n;
                for (int j = 0; j < n; j++) {
                    sq += (y[row * n + j] - mean) * (y[row * n + j] - mean);
                    xSq += (x[row * n + j] - xMean) * (x[row * n + j] - xMean);
                }
                // x - mean is rounded in float: an error of about ulp(|x|) each, which normalising divides by the
                // row's spread. Rows whose values nearly coincide (n = 2 draws close together) are off by more than
                // a fixed 1e-5 (seen: -1.2e-5 at n = 2), so the bound grows with ulp(max |x|) / spread.
                double slack = Math.ulp((float) xMax) / Math.sqrt(xSq / n);
                assertEquals(0.0, mean, 1e-5 + 8 * slack, "mean n=" + n);
                assertEquals(1.0, sq / n, 1e-4 + 16 * slack, "variance n=" + n);
            }
        });
    }

    @Test
    void epsIsAParameter() {
        float[] x = {1f, -1f};
        float[] y = new float[2];
        LayerNormKernel.layerNorm(x, 0, y, 0, 1, 2, null, null, 3f);
        assertEquals(0.5f, y[0], 1e-7f);
        assertEquals(-0.5f, y[1], 1e-7f);
    }

    @Test
    void resultsDoNotDependOnThreadCount() {
        Random r = new Random(5);
        int rows = 700, n = 131;
        float[] x = Arrays2.normal(r, rows * n, 2f);
        float[] gamma = Arrays2.normal(r, n, 1f), beta = Arrays2.normal(r, n, 1f);
        Arrays2.assertThreadInvariant(() -> {
            float[] y = new float[x.length];
            LayerNormKernel.layerNorm(x, 0, y, 0, rows, n, gamma, beta, 1e-5f);
            return y;
        }, "layernorm");
    }
}
