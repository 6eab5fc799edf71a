package perceiver.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix products {@code C[m,n] (+)= A[m,k] · op(B)}, with {@code op(B) = B[k,n]} or {@code op(B) = Bᵀ, B[n,k]}
 * (the linear-layer and q·kᵀ form). All matrices are row-major windows of float arrays with leading dimensions, so
 * a head's channel slice of a wider activation is passed without copying.
 *
 * <p>The fast path packs {@code op(B)} into {@link PackedMatrix} column panels and runs an {@code MR × NR} FMA
 * register tile over them; every output element is one chain of FMAs over {@code p = 0..k-1} whatever the tile,
 * the tail handling or the thread split, so results do not depend on the number of threads.
 * {@link #gemmReference} is the scalar definition the tests compare against.
 */
public final class Matmul {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Tile height (rows of A) and width (columns of op(B)) of the register micro-kernel. */
    static final int MR = 6;
    static final int NR = 2 * L;

    private Matmul() {}

    /** Scalar definition: {@code C = (accumulate ? C : 0) + A · op(B)}, summing over p in order in float. */
    public static void gemmReference(int m, int n, int k,
                                     float[] a, int aOff, int lda,
                                     float[] b, int bOff, int ldb, boolean bTransposed,
                                     float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    float bv = bTransposed ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s = Math.fma(a[aOff + i * lda + p], bv, s);
                }
                int ci = cOff + i * ldc + j;
                c[ci] = accumulate ? c[ci] + s : s;
            }
        }
    }

    /** Fast path of {@link #gemmReference}: packs op(B) and runs {@link #gemmPacked}. */
    public static void gemm(int m, int n, int k,
                            float[] a, int aOff, int lda,
                            float[] b, int bOff, int ldb, boolean bTransposed,
                            float[] c, int cOff, int ldc, boolean accumulate) {
        PackedMatrix pb = PackedMatrix.pack(k, n, b, bOff, ldb, bTransposed);
        gemmPacked(m, a, aOff, lda, pb, c, cOff, ldc, accumulate);
    }

    /** {@code C[m, pb.cols] (+)= A[m, pb.rows] · B} with B packed once (e.g. a weight at load time). */
    public static void gemmPacked(int m, float[] a, int aOff, int lda, PackedMatrix pb,
                                  float[] c, int cOff, int ldc, boolean accumulate) {
        int panels = pb.panels();
        int rowBlocks = (m + MR - 1) / MR;
        long work = (long) m * pb.cols() * Math.max(1, pb.rows());
        if (work < 1 << 15) {
            tiles(0, rowBlocks, 0, panels, m, a, aOff, lda, pb, c, cOff, ldc, accumulate);
        } else if (rowBlocks >= panels) {
            Parallel.forRange(rowBlocks, 1, (from, to) ->
                    tiles(from, to, 0, panels, m, a, aOff, lda, pb, c, cOff, ldc, accumulate));
        } else {
            Parallel.forRange(panels, 1, (from, to) ->
                    tiles(0, rowBlocks, from, to, m, a, aOff, lda, pb, c, cOff, ldc, accumulate));
        }
    }

    private static void tiles(int rb0, int rb1, int p0, int p1, int m, float[] a, int aOff, int lda,
                              PackedMatrix pb, float[] c, int cOff, int ldc, boolean accumulate) {
        float[] edge = new float[MR * NR];
        for (int p = p0; p < p1; p++) {
            for (int rb = rb0; rb < rb1; rb++) {
                int i0 = rb * MR;
                int rows = Math.min(MR, m - i0);
                int j0 = p * NR;
                int cols = Math.min(NR, pb.cols() - j0);
                if (rows == MR && cols == NR) {
                    tile6(a, aOff + i0 * lda, lda, pb, p, c, cOff + i0 * ldc + j0, ldc, accumulate);
                } else {
                    tileEdge(rows, cols, a, aOff + i0 * lda, lda, pb, p, c, cOff + i0 * ldc + j0, ldc, accumulate, edge);
                }
            }
        }
    }

    /** The 6 × 2L register tile: 12 accumulators, two B vectors and one broadcast live per step. */
    private static void tile6(float[] a, int aOff, int lda, PackedMatrix pb, int panel,
                              float[] c, int cOff, int ldc, boolean accumulate) {
        int k = pb.rows();
        float[] b = pb.data();
        int bi = pb.panelOffset(panel);
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int a0 = aOff, a1 = aOff + lda, a2 = aOff + 2 * lda, a3 = aOff + 3 * lda, a4 = aOff + 4 * lda, a5 = aOff + 5 * lda;
        for (int p = 0; p < k; p++, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + p]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + p]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + p]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[a4 + p]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[a5 + p]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
        }
        store(c00, c01, c, cOff, accumulate);
        store(c10, c11, c, cOff + ldc, accumulate);
        store(c20, c21, c, cOff + 2 * ldc, accumulate);
        store(c30, c31, c, cOff + 3 * ldc, accumulate);
        store(c40, c41, c, cOff + 4 * ldc, accumulate);
        store(c50, c51, c, cOff + 5 * ldc, accumulate);
    }

    private static void store(FloatVector lo, FloatVector hi, float[] c, int off, boolean accumulate) {
        if (accumulate) {
            lo = lo.add(FloatVector.fromArray(S, c, off));
            hi = hi.add(FloatVector.fromArray(S, c, off + L));
        }
        lo.intoArray(c, off);
        hi.intoArray(c, off + L);
    }

    /** Partial tiles (fewer rows or columns): one row at a time, results staged in {@code edge}. */
    private static void tileEdge(int rows, int cols, float[] a, int aOff, int lda, PackedMatrix pb, int panel,
                                 float[] c, int cOff, int ldc, boolean accumulate, float[] edge) {
        int k = pb.rows();
        float[] b = pb.data();
        for (int r = 0; r < rows; r++) {
            int bi = pb.panelOffset(panel);
            int ar = aOff + r * lda;
            FloatVector lo = FloatVector.zero(S), hi = FloatVector.zero(S);
            for (int p = 0; p < k; p++, bi += NR) {
                FloatVector x = FloatVector.broadcast(S, a[ar + p]);
                lo = x.fma(FloatVector.fromArray(S, b, bi), lo);
                hi = x.fma(FloatVector.fromArray(S, b, bi + L), hi);
            }
            lo.intoArray(edge, r * NR);
            hi.intoArray(edge, r * NR + L);
            int cr = cOff + r * ldc;
            for (int j = 0; j < cols; j++) {
                c[cr + j] = accumulate ? c[cr + j] + edge[r * NR + j] : edge[r * NR + j];
            }
        }
    }
}
