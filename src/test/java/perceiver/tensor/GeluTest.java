package perceiver.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.apache.commons.math3.special.Erf;
import org.junit.jupiter.api.Test;

class GeluTest {

    private static double exactGelu(double x) {
        return 0.5 * x * (1 + Erf.erf(x / Math.sqrt(2)));
    }

    /** Dense grid over [-12, 12] plus random and special values. */
    private static float[] inputs() {
        Random r = new Random(17);
        int grid = 48001;
        float[] x = new float[grid + 20000 + 8];
        for (int i = 0; i < grid; i++) x[i] = -12f + 24f * i / (grid - 1);
        for (int i = 0; i < 20000; i++) x[grid + i] = (float) r.nextGaussian() * 3f;
        float[] special = {0f, -0f, 1e-30f, -1e-30f, 50f, -50f, 1e6f, -1e6f};
        System.arraycopy(special, 0, x, grid + 20000, special.length);
        return x;
    }

    @Test
    void erfMatchesCommonsMath() {
        for (float x : inputs()) {
            double e = Erf.erf(x);
            assertEquals(e, Gelu.erf(x), 1e-6, "erf(" + x + ")");
        }
    }

    @Test
    void geluMatchesTheErfFormula() {
        float[] x = inputs();
        float[] fast = x.clone(), ref = x.clone();
        Gelu.gelu(fast, 0, fast.length);
        Gelu.geluReference(ref, 0, ref.length);
        for (int i = 0; i < x.length; i++) {
            double exact = exactGelu(x[i]);
            double tol = 1e-6 * Math.max(1.0, Math.abs(x[i]));
            assertTrue(Math.abs(fast[i] - exact) <= tol, "gelu(" + x[i] + ") = " + fast[i] + ", exact " + exact);
            assertTrue(Math.abs(ref[i] - exact) <= tol, "geluReference(" + x[i] + ") = " + ref[i] + ", exact " + exact);
        }
        Arrays2.assertClose(ref, fast, 1e-7, 1e-6, "gelu vs geluReference");
    }

    @Test
    void windowAndOddLengths() {
        Random r = new Random(2);
        for (int n = 0; n < 40; n++) {
            float[] x = Arrays2.normal(r, n + 6, 2f);
            float[] fast = x.clone(), ref = x.clone();
            Gelu.gelu(fast, 3, n);
            Gelu.geluReference(ref, 3, n);
            Arrays2.assertClose(ref, fast, 1e-7, 1e-6, "gelu n=" + n);
            for (int i : new int[] {0, 1, 2, n + 3, n + 4, n + 5}) assertEquals(x[i], fast[i], "outside window");
        }
    }

    @Test
    void resultsDoNotDependOnThreadCount() {
        float[] x = Arrays2.normal(new Random(9), 200_003, 3f);
        Arrays2.assertThreadInvariant(() -> {
            float[] y = x.clone();
            Gelu.gelu(y, 0, y.length);
            return y;
        }, "gelu");
    }
}
