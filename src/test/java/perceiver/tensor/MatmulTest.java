package perceiver.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fast matmul against its scalar definition. Every output element is the same FMA chain in both, so the
 * comparison is bitwise, including the padding around the output window (which must stay untouched).
 */
class MatmulTest {

    /** One product over windows with random offsets and leading dimensions larger than the widths. */
    private record Case(int m, int n, int k, boolean bT, boolean acc, int aOff, int lda, int bOff, int ldb,
                        int cOff, int ldc, float[] a, float[] b, float[] c) {
        static Case random(int m, int n, int k, long seed) {
            Random r = new Random(seed);
            boolean bT = r.nextBoolean(), acc = r.nextBoolean();
            int lda = k + r.nextInt(4), ldb = (bT ? k : n) + r.nextInt(4), ldc = n + r.nextInt(4);
            int aOff = r.nextInt(5), bOff = r.nextInt(5), cOff = r.nextInt(5);
            float[] a = Arrays2.uniform(r, aOff + (m - 1) * lda + k + r.nextInt(3));
            float[] b = Arrays2.uniform(r, bOff + (bT ? (n - 1) * ldb + k : (k - 1) * ldb + n) + r.nextInt(3));
            float[] c = Arrays2.uniform(r, cOff + (m - 1) * ldc + n + r.nextInt(3));
            return new Case(m, n, k, bT, acc, aOff, lda, bOff, ldb, cOff, ldc, a, b, c);
        }

        float[] reference() {
            float[] out = c.clone();
            Matmul.gemmReference(m, n, k, a, aOff, lda, b, bOff, ldb, bT, out, cOff, ldc, acc);
            return out;
        }

        float[] fast() {
            float[] out = c.clone();
            Matmul.gemm(m, n, k, a, aOff, lda, b, bOff, ldb, bT, out, cOff, ldc, acc);
            return out;
        }

        float[] packed() {
            float[] out = c.clone();
            PackedMatrix pb = PackedMatrix.pack(k, n, b, bOff, ldb, bT);
            Matmul.gemmPacked(m, a, aOff, lda, pb, out, cOff, ldc, acc);
            return out;
        }

        @Override
        public String toString() {
            return "m=" + m + " n=" + n + " k=" + k + (bT ? " Bᵀ" : " B") + (acc ? " accumulate" : "")
                    + " lda=" + lda + " ldb=" + ldb + " ldc=" + ldc;
        }
    }

    @Test
    void gemmEqualsReferenceOnRandomShapes() {
        qt().withExamples(250).forAll(integers().between(1, 70), integers().between(1, 70),
                integers().between(1, 70), longs().all()).checkAssert((m, n, k, seed) -> {
            Case c = Case.random(m, n, k, seed);
            float[] expected = c.reference();
            Arrays2.assertBitwise(expected, c.fast(), "gemm " + c);
            Arrays2.assertBitwise(expected, c.packed(), "gemmPacked " + c);
        });
    }

    @Test
    void gemmEqualsReferenceOnLargerAndDegenerateShapes() {
        int[][] shapes = {
            {1, 1, 1}, {1, 1, 300}, {1, 333, 1}, {333, 1, 1}, {6, 16, 16}, {7, 17, 257}, {5, 15, 255},
            {130, 47, 600}, {37, 290, 513}, {300, 20, 64}, {2, 700, 31}, {97, 97, 1030},
            {13, 40, 2049}, {7, 19, 4500}, {2, 33, 6200},
        };
        long seed = 1;
        for (int[] s : shapes) {
            for (int rep = 0; rep < 2; rep++) {
                Case c = Case.random(s[0], s[1], s[2], seed++);
                Arrays2.assertBitwise(c.reference(), c.fast(), "gemm " + c);
            }
        }
    }

    @Test
    void emptyInnerDimensionGivesZeroOrKeepsC() {
        float[] c = {1, 2, 3, 4, 5, 6};
        Matmul.gemm(2, 3, 0, new float[0], 0, 0, new float[0], 0, 3, false, c, 0, 3, true);
        Arrays2.assertBitwise(new float[] {1, 2, 3, 4, 5, 6}, c, "k=0 accumulate");
        Matmul.gemm(2, 3, 0, new float[0], 0, 0, new float[0], 0, 3, false, c, 0, 3, false);
        Arrays2.assertBitwise(new float[6], c, "k=0 overwrite");
        Matmul.gemm(0, 3, 4, new float[0], 0, 4, new float[12], 0, 3, false, c, 0, 3, false);
    }

    @Test
    void packedTransposedWeightIsTheLinearLayerB() {
        Random r = new Random(7);
        int out = 37, in = 29, rows = 11;
        Tensor w = Tensor.of(Arrays2.uniform(r, out * in), out, in);
        float[] x = Arrays2.uniform(r, rows * in);
        PackedMatrix pw = PackedMatrix.packTransposed(w);
        assertEquals(in, pw.rows());
        assertEquals(out, pw.cols());
        float[] y = new float[rows * out], ref = new float[rows * out];
        Matmul.gemmPacked(rows, x, 0, in, pw, y, 0, out, false);
        Matmul.gemmReference(rows, out, in, x, 0, in, w.data(), 0, in, true, ref, 0, out, false);
        Arrays2.assertBitwise(ref, y, "x·Wᵀ");
    }

    /**
     * A wide product (fewer micro-panels of rows than column panels) packs all of A once for its parallel chunks,
     * also across k blocks and with a ragged last micro-panel; a tall one packs each chunk's rows once. A's array
     * ends exactly at its last element, so reading a micro-panel past it would fail. The first and last shapes cross
     * chunks of B panels ({@link Matmul#B_CHUNK}) in k blocks; the last also packs A in two parts
     * ({@link Matmul#A_SUPER}) on one thread. The fourth is wide with three blocks of rows ({@link Matmul#A_BLOCK}
     * / 700 = 52 rows each, the last ragged), which its parallel chunks pack as they first need them.
     */
    @Test
    void wideAndTallProductsPackAOnceAndAgreeOnAnyThreadCount() {
        Random r = new Random(11);
        int[][] shapes = {{13, 700, 2100}, {21, 1000, 96}, {4, 2000, 200}, {150, 700, 700}, {250, 33, 640},
                          {201, 300, 96}, {347, 50, 6200}};
        assertTrue(Matmul.A_BLOCK / 700 / Matmul.MR * Matmul.MR == 52
                && (150 + 3) / 4 < (700 + Matmul.NR - 1) / Matmul.NR, "fourth shape: wide, three row blocks");
        assertTrue(347L * 6200 > Matmul.A_SUPER && 6200 / 4 * Matmul.NR * 2 <= Matmul.B_CHUNK, "last shape's blocking");
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            float[] a = Arrays2.uniform(r, m * k), b = Arrays2.uniform(r, k * n);
            PackedMatrix pb = PackedMatrix.pack(k, n, b, 0, n, false);
            float[] ref = new float[m * n];
            Matmul.gemmReference(m, n, k, a, 0, k, b, 0, n, false, ref, 0, n, false);
            Arrays2.assertThreadInvariant(() -> {
                float[] c = new float[m * n];
                Matmul.gemmPacked(m, a, 0, k, pb, c, 0, n, false);
                Arrays2.assertBitwise(ref, c, "m=" + m + " n=" + n + " k=" + k);
                return c;
            }, "packed A");
        }
    }

    /**
     * The chunks of a wide product that find a row block of A being packed by another chunk wait for it: each product
     * follows one of another A of the same shape, whose packed rows would otherwise be read in its place.
     */
    @Test
    void wideProductChunksWaitForTheRowsTheyRead() {
        int m = 150, n = 700, k = 700;
        Random r = new Random(5);
        float[] a = Arrays2.uniform(r, m * k), other = Arrays2.uniform(r, m * k), b = Arrays2.uniform(r, k * n);
        PackedMatrix pb = PackedMatrix.pack(k, n, b, 0, n, false);
        float[] ref = new float[m * n];
        Matmul.gemmReference(m, n, k, a, 0, k, b, 0, n, false, ref, 0, n, false);
        for (int threads = 2; threads <= 3; threads++) {
            Arrays2.withThreads(threads, () -> {
                for (int i = 0; i < 20; i++) {
                    float[] c = new float[m * n];
                    Matmul.gemmPacked(m, other, 0, k, pb, c, 0, n, false);
                    Matmul.gemmPacked(m, a, 0, k, pb, c, 0, n, false);
                    Arrays2.assertBitwise(ref, c, "product " + i);
                }
            });
        }
    }

    /** A bias fused into the product equals the separate pass bit for bit (also with a residual in C). */
    @Test
    void fusedBiasEqualsSeparatePass() {
        qt().withExamples(150).forAll(integers().between(1, 70), integers().between(1, 70),
                integers().between(0, 70), longs().all()).checkAssert(MatmulTest::checkFused);
        long seed = 3;
        for (int[] s : new int[][] {{40, 150, 2100}, {500, 64, 100}, {9, 2000, 300}}) {
            int[] shape = s;
            long sd = seed++;
            Arrays2.withThreads(2, () -> checkFused(shape[0], shape[1], shape[2], sd));
        }
    }

    private static void checkFused(int m, int n, int k, long seed) {
        Random r = new Random(seed);
        boolean acc = r.nextBoolean(), withBias = r.nextBoolean();
        float[] a = Arrays2.uniform(r, m * k), b = Arrays2.uniform(r, n * k), c = Arrays2.uniform(r, m * n);
        float[] bias = withBias ? Arrays2.uniform(r, n + 2) : null;
        float[] expected = c.clone();
        Matmul.gemmReference(m, n, k, a, 0, k, b, 0, k, true, expected, 0, n, acc);
        if (withBias) Elementwise.addRowVectorReference(expected, 0, m, n, bias, 2);
        float[] fused = c.clone();
        Matmul.gemmPacked(m, a, 0, k, PackedMatrix.pack(k, n, b, 0, k, true), fused, 0, n, acc, bias, 2);
        Arrays2.assertBitwise(expected, fused, "fused m=" + m + " n=" + n + " k=" + k);
    }

    @Test
    void resultsDoNotDependOnThreadCount() {
        int[][] shapes = {{900, 40, 200}, {7, 1200, 300}, {150, 150, 300}, {64, 1000, 33}, {3000, 3, 400}, {50, 90, 4200}};
        long seed = 11;
        for (int[] s : shapes) {
            Case c = Case.random(s[0], s[1], s[2], seed++);
            Arrays2.assertThreadInvariant(c::fast, "gemm " + c);
        }
    }
}
