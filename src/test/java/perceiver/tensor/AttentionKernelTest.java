package perceiver.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Random;
import org.junit.jupiter.api.Test;

class AttentionKernelTest {

    /** Random q, k, v as views at non-zero offsets of larger tensors (batch element 1 of 2). */
    private record Case(int n, int m, int heads, int dk, int dv, Tensor q, Tensor k, Tensor v, float[] mask) {
        static Case random(int n, int m, int heads, int dk, int dv, double maskRate, long seed) {
            Random r = new Random(seed);
            Tensor q = Tensor.of(Arrays2.normal(r, 2 * n * heads * dk, 1f), 2, n, heads * dk).get(1);
            Tensor k = Tensor.of(Arrays2.normal(r, 2 * m * heads * dk, 1f), 2, m, heads * dk).get(1);
            Tensor v = Tensor.of(Arrays2.normal(r, 2 * m * heads * dv, 1f), 2, m, heads * dv).get(1);
            float[] mask = maskRate > 0 ? Arrays2.mask(r, m, maskRate) : null;
            return new Case(n, m, heads, dk, dv, q, k, v, mask);
        }

        Tensor[] reference(boolean withProbs) {
            Tensor out = Tensor.zeros(n, heads * dv), probs = withProbs ? Tensor.zeros(heads, n, m) : null;
            AttentionKernel.attendReference(q, k, v, heads, mask, out, probs);
            return new Tensor[] {out, probs};
        }

        Tensor[] fast(boolean withProbs) {
            Tensor out = Tensor.zeros(n, heads * dv), probs = withProbs ? Tensor.zeros(heads, n, m) : null;
            AttentionKernel.attend(q, k, v, heads, mask, out, probs);
            return new Tensor[] {out, probs};
        }

        @Override
        public String toString() {
            return "N=" + n + " M=" + m + " heads=" + heads + " dk=" + dk + " dv=" + dv + (mask != null ? " masked" : "");
        }
    }

    @Test
    void fastMatchesReference() {
        qt().withExamples(120).forAll(integers().between(1, 40), integers().between(1, 150),
                integers().between(1, 4), longs().all()).checkAssert((n, m, heads, seed) -> {
            Random r = new Random(seed);
            int dk = 1 + r.nextInt(40), dv = 1 + r.nextInt(40);
            Case c = Case.random(n, m, heads, dk, dv, r.nextBoolean() ? 0.3 : 0, seed);
            boolean withProbs = r.nextBoolean();
            Tensor[] ref = c.reference(withProbs), fast = c.fast(withProbs);
            Arrays2.assertClose(ref[0].toArray(), fast[0].toArray(), 1e-5, 1e-5, "attention " + c);
            if (withProbs) Arrays2.assertClose(ref[1].toArray(), fast[1].toArray(), 1e-7, 1e-5, "probs " + c);
        });
    }

    @Test
    void streamingPathMatchesReferenceOnLongInputs() {
        int[][] shapes = {{3, 1, 2, 8, 8}, {5, 1000, 1, 64, 64}, {17, 777, 2, 32, 16}, {2, 2049, 1, 3, 5},
            {200, 512, 1, 16, 24}, {97, 257, 3, 7, 9}};
        long seed = 100;
        for (int[] s : shapes) {
            for (double rate : new double[] {0, 0.5}) {
                Case c = Case.random(s[0], s[1], s[2], s[3], s[4], rate, seed++);
                Arrays2.assertClose(c.reference(false)[0].toArray(), c.fast(false)[0].toArray(), 1e-5, 1e-5,
                        "attention " + c);
            }
        }
    }

    @Test
    void maskedProbabilitiesAreExactlyZero() {
        Case c = Case.random(9, 70, 3, 16, 8, 0.5, 4);
        c.mask()[0] = 0f;
        Tensor probs = c.fast(true)[1];
        for (int h = 0; h < 3; h++) {
            for (int i = 0; i < 9; i++) {
                for (int j = 0; j < 70; j++) {
                    if (c.mask()[j] != 0f) assertEquals(0f, probs.at(h, i, j));
                }
            }
        }
    }

    /** Whole key blocks masked at the start (the running sums restart) and at the end (nothing is added). */
    @Test
    void maskedKeyBlocksContributeNothing() {
        int m = 3 * AttentionKernel.KEY_BLOCK + 77;
        Case c = Case.random(13, m, 2, 16, 8, 0.0, 8);
        float[] mask = new float[m];
        for (int j = 0; j < m; j++) {
            if (j < AttentionKernel.KEY_BLOCK + 40 || j >= 2 * AttentionKernel.KEY_BLOCK) mask[j] = -Float.MAX_VALUE;
        }
        Case masked = new Case(c.n(), m, 2, 16, 8, c.q(), c.k(), c.v(), mask);
        Arrays2.assertClose(masked.reference(false)[0].toArray(), masked.fast(false)[0].toArray(), 1e-5, 1e-5,
                "block-masked " + masked);
    }

    /** HF adds finfo.min to every score of a fully masked row: softmax is uniform, the output the mean value. */
    @Test
    void fullyMaskedInputGivesTheMeanOfTheValues() {
        for (int m : new int[] {1, 5, 300, 1500}) {
            Case c = Case.random(4, m, 2, 8, 6, 1.0, m);
            java.util.Arrays.fill(c.mask(), -Float.MAX_VALUE);
            for (boolean withProbs : new boolean[] {false, true}) {
                float[] out = c.fast(withProbs)[0].toArray();
                float[] ref = c.reference(withProbs)[0].toArray();
                Arrays2.assertClose(ref, out, 1e-5, 1e-5, "all masked M=" + m);
                for (int col = 0; col < 12; col++) {
                    double mean = 0;
                    for (int j = 0; j < m; j++) mean += c.v().at(j, col);
                    mean /= m;
                    assertEquals(mean, out[col], 1e-5, "mean of values, column " + col);
                }
            }
        }
    }

    @Test
    void resultsDoNotDependOnThreadCount() {
        for (int[] s : new int[][] {{70, 300, 4, 16, 16}, {5, 3000, 2, 32, 32}}) {
            Case c = Case.random(s[0], s[1], s[2], s[3], s[4], 0.2, 6);
            Arrays2.assertThreadInvariant(() -> c.fast(false)[0].toArray(), "attention " + c);
            Arrays2.assertThreadInvariant(() -> c.fast(true)[0].toArray(), "attention with probs " + c);
            Arrays2.assertThreadInvariant(() -> c.fast(true)[1].toArray(), "probs " + c);
        }
    }

    /** Keys and values fed to a {@link AttentionKernel.Stream} in several blocks give the one-call result, bit for bit. */
    @Test
    void streamInBlocksEqualsOneCall() {
        int kb = AttentionKernel.KEY_BLOCK;
        int[][] splits = {{kb, kb, 5}, {2 * kb, 3 * kb + 100}, {kb}, {3 * kb, 1}, {kb, 0, kb, 19}};
        long seed = 40;
        for (int[] split : splits) {
            int m = java.util.Arrays.stream(split).sum();
            for (double rate : new double[] {0, 0.4}) {
                Case c = Case.random(31, m, 3, 12, 10, rate, seed++);
                Tensor out = Tensor.zeros(c.n(), c.heads() * c.dv());
                AttentionKernel.Stream stream = new AttentionKernel.Stream(c.q(), c.heads(), out);
                int from = 0;
                for (int rows : split) {
                    stream.add(c.k().rows(from, from + rows), c.v().rows(from, from + rows), c.mask());
                    from += rows;
                }
                stream.finish();
                org.junit.jupiter.api.Assertions.assertArrayEquals(c.fast(false)[0].toArray(), out.toArray(),
                        "split " + java.util.Arrays.toString(split) + " " + c);
            }
        }
    }

    @Test
    void streamRefusesValuesOrAMaskThatDoNotMatchTheKeys() {
        Case c = Case.random(4, 20, 1, 8, 8, 0, 5);
        AttentionKernel.Stream stream = new AttentionKernel.Stream(c.q(), 1, Tensor.zeros(4, 8));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> stream.add(c.k(), c.v().rows(0, 19), null));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("20 keys but 19 values"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> stream.add(c.k(), c.v(), new float[19]));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("mask of 19 keys for 20"), e.getMessage());
    }

    @Test
    void streamRefusesAPartialKeyBlockBeforeTheLast() {
        Case c = Case.random(4, AttentionKernel.KEY_BLOCK + 10, 1, 8, 8, 0, 3);
        AttentionKernel.Stream stream = new AttentionKernel.Stream(c.q(), 1, Tensor.zeros(4, 8));
        stream.add(c.k().rows(0, 10), c.v().rows(0, 10), null);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> stream.add(c.k().rows(10, 20), c.v().rows(10, 20), null));
    }
}
