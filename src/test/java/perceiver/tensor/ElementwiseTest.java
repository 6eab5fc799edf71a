package perceiver.tensor;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ElementwiseTest {

    @Test
    void addInPlaceMatchesReference() {
        Random r = new Random(1);
        for (int n : new int[] {0, 1, 7, 8, 9, 63, 1000, 100_001}) {
            float[] y = Arrays2.uniform(r, n + 5), x = Arrays2.uniform(r, n + 3);
            float[] expected = y.clone();
            Elementwise.addInPlaceReference(expected, 2, x, 3, n);
            Elementwise.addInPlace(y, 2, x, 3, n);
            Arrays2.assertBitwise(expected, y, "addInPlace n=" + n);
        }
    }

    @Test
    void addRowVectorMatchesReference() {
        Random r = new Random(2);
        for (int[] s : new int[][] {{1, 1}, {3, 7}, {5, 16}, {33, 17}, {2000, 40}}) {
            int rows = s[0], n = s[1];
            float[] y = Arrays2.uniform(r, rows * n + 4), bias = Arrays2.uniform(r, n + 1);
            float[] expected = y.clone();
            Elementwise.addRowVectorReference(expected, 4, rows, n, bias, 1);
            Elementwise.addRowVector(y, 4, rows, n, bias, 1);
            Arrays2.assertBitwise(expected, y, "addRowVector " + rows + "x" + n);
        }
    }

    @Test
    void resultsDoNotDependOnThreadCount() {
        Random r = new Random(3);
        float[] y = Arrays2.uniform(r, 300_000), x = Arrays2.uniform(r, 300_000), bias = Arrays2.uniform(r, 300);
        Arrays2.assertThreadInvariant(() -> {
            float[] out = y.clone();
            Elementwise.addInPlace(out, 0, x, 0, out.length);
            Elementwise.addRowVector(out, 0, 1000, 300, bias, 0);
            return out;
        }, "elementwise");
    }
}
