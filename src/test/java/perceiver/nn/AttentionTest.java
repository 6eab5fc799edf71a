package perceiver.nn;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static perceiver.io.TensorAsserts.assertClose;
import static perceiver.nn.Fixtures.linear;
import static perceiver.nn.Fixtures.random;

import java.util.Random;
import org.junit.jupiter.api.Test;
import perceiver.tensor.CpuBackend;
import perceiver.tensor.Tensor;

class AttentionTest {
    private static final CpuBackend CPU = CpuBackend.INSTANCE;

    /**
     * One head, many more inputs than queries: the streamed attention applies W_K to the queries and W_V after the
     * attention instead of projecting every input row; up to rounding, that is Eq. 1-3 with the inputs projected.
     * Inputs span two stream blocks; some keys are masked; key width F ≠ input width (the scale) and F = width.
     */
    @Test
    void movedProjectionsEqualProjectingTheInputs() {
        Random rnd = new Random(3);
        int n = 5, m = 9_000, cq = 12;
        for (int[] widths : new int[][] {{24, 16, 20}, {24, 24, 24}}) {
            int c = widths[0], f = widths[1], fv = widths[2];
            Attention attention = new Attention(linear(rnd, cq, f), linear(rnd, c, f), linear(rnd, c, fv),
                    linear(rnd, fv, 10), 1);
            assertNotNull(attention.moved());
            assertTrue(attention.projectsQueriesCheaper(n, m));
            Tensor xq = random(rnd, 1, n, cq), inputs = random(rnd, 1, m, c);
            float[][] mask = new float[1][m];
            for (int j = 0; j < m; j += 7) mask[0][j] = -10_000f;
            Tensor moved = attention.forwardStreaming(CPU, xq, inputs, x -> x, mask);
            Tensor projected = attention.forward(CPU, xq, inputs, mask, null);
            double scale = 0;
            for (float v : projected.toArray()) scale = Math.max(scale, Math.abs(v));
            assertClose(projected, moved, 2e-6 * scale, "moved projections, widths c=" + c + " f=" + f);
        }
    }

    /**
     * One head, many query rows against few keys (a decoder): W_Q moves onto the keys (its bias a per-key score
     * bias) and W_O onto the values; up to rounding, that is Eq. 1-3 as usual. Widths Cq ≠ F (the scale), masked keys.
     */
    @Test
    void projectionsMovedOntoTheKeysEqualTheUsualOnes() {
        Random rnd = new Random(5);
        int n = 50, m = 30, cq = 12, c = 14, f = 16, fv = 20, cout = 10;
        Attention attention = new Attention(linear(rnd, cq, f), linear(rnd, c, f), linear(rnd, c, fv),
                linear(rnd, fv, cout), 1);
        Tensor xq = random(rnd, 2, n, cq), xkv = random(rnd, 2, m, c);
        float[][] mask = new float[2][m];
        mask[1][3] = -10_000f;
        assertTrue(attention.movesOntoKeysCheaper(m, 1_000_000));
        assertFalse(attention.movesOntoKeysCheaper(m, 1));
        Attention.Memory<Tensor> moved = attention.memory(CPU, xkv, 1_000_000);
        assertNotNull(moved.scoreBias());
        assertNull(attention.memory(CPU, xkv, 1).scoreBias());
        Tensor usual = attention.forward(CPU, xq, xkv, mask, null);
        double scale = 0;
        for (float v : usual.toArray()) scale = Math.max(scale, Math.abs(v));
        assertClose(usual, attention.forward(CPU, xq, moved, mask, null), 2e-6 * scale, "W_Q and W_O on the keys");
    }

    /** Few inputs for many queries (a decoder), or several heads: the inputs are projected as usual. */
    @Test
    void projectionsStayWhereTheyAreCheaperOrWithSeveralHeads() {
        Random rnd = new Random(4);
        Attention one = new Attention(linear(rnd, 8, 8), linear(rnd, 8, 8), linear(rnd, 8, 8), linear(rnd, 8, 8), 1);
        assertFalse(one.projectsQueriesCheaper(10_000, 16));
        assertTrue(one.projectsQueriesCheaper(16, 10_000));
        Attention two = new Attention(linear(rnd, 8, 8), linear(rnd, 8, 8), linear(rnd, 8, 8), linear(rnd, 8, 8), 2);
        assertNull(two.moved());
    }
}
