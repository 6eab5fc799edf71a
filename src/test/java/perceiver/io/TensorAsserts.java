package perceiver.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import perceiver.tensor.Tensor;

/** Shape-checked element-wise comparisons for golden tests. */
public final class TensorAsserts {
    private TensorAsserts() {}

    /** Largest |a - b| after checking that the shapes are equal. */
    public static double maxAbsDiff(Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), "shape of " + actual);
        float[] e = expected.data();
        float[] a = actual.data();
        double max = 0;
        for (int i = 0; i < expected.size(); i++) {
            double d = Math.abs((double) e[expected.offset() + i] - a[actual.offset() + i]);
            if (Double.isNaN(d)) return Double.NaN;
            max = Math.max(max, d);
        }
        return max;
    }

    /** Asserts equal shapes and max |a - b| <= tol; returns the error for reporting. */
    public static double assertClose(Tensor expected, Tensor actual, double tol, String what) {
        double err = maxAbsDiff(expected, actual);
        assertTrue(err <= tol, what + ": max abs error " + err + " > " + tol);
        System.out.printf("[golden] %-60s max abs err %.3g%n", what, err);
        return err;
    }
}
