package perceiver.tensor;

import java.util.concurrent.atomic.AtomicIntegerArray;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix products {@code C[m,n] (+)= A[m,k] · op(B)}, with {@code op(B) = B[k,n]} or {@code op(B) = Bᵀ, B[n,k]}
 * (the linear-layer and q·kᵀ form). All matrices are row-major windows of float arrays with leading dimensions, so
 * a head's channel slice of a wider activation is passed without copying.
 *
 * <p>Every output element is one chain of FMAs, {@code s = accumulate ? C : 0; for p = 0..k-1: s = fma(a, b, s)},
 * in that order, in float: {@link #gemmReference} spells it out and the fast path computes exactly the same bits,
 * whatever the tiling, the edge handling or the number of threads.
 *
 * <p>The fast path (GotoBLAS/BLIS structure): {@code op(B)} lives in {@link PackedMatrix} column panels of
 * {@link #NR} columns (packed once for weights); A is packed once per product (a wide product's parallel chunks
 * share it; otherwise up to {@link #A_SUPER} floats of rows at a time) into {@link #MR}-row micro-panels. The loops,
 * outermost first: column panels in chunks whose k block fits in L2 ({@link #B_CHUNK}), blocks of {@code mc} rows
 * ({@link #A_BLOCK}), k blocks, the chunk's panels, the block's micro-panels, where the {@code MR × NR} register tile
 * runs over a whole k block. A B chunk is read from memory once and from L2 for every block of rows after the
 * first; without the chunks a 256-row product re-read its whole weight from L3 for each block of rows, 13-30 %
 * slower on one thread (bench/RESULTS.md). k is cut into blocks only past {@link #KC} (boundaries fixed by k alone;
 * partial sums kept in a tile-ordered buffer between blocks): measured on AMD Zen 3, long k loops streaming from L2
 * beat the classic kc = 256 by 10-20%. Threads split rows for tall products and panels for wide ones; the split
 * never changes an element's chain.
 */
public final class Matmul {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /**
     * Tile height (rows of A) and width (columns of op(B)) of the register micro-kernel. C2 loads all of an
     * iteration's broadcasts first: four rows over one interleaved A stream then hold 8 + 2 + 4 of AVX2's 16 vector
     * registers and compile to 19 instructions per 8 FMAs; six rows over one stream spill two accumulators (35
     * GFLOP/s), six rows over six streams do not but take 34 instructions per 12 FMAs, and a core shared with
     * another tenant runs out of instruction slots before FMA units (bench/RESULTS.md).
     */
    static final int MR = 4;
    static final int NR = 2 * L;
    /** Largest k block. */
    static final int KC = 2048;
    /** Floats of A per block of rows (144 KiB, in L2): {@code mc = A_BLOCK / kc} rows, a multiple of MR. */
    static final int A_BLOCK = 36864;
    /** Floats of B per chunk of panels (256 KiB, beside an A block in L2): {@code B_CHUNK / (kc · NR)} panels. */
    static final int B_CHUNK = 65536;
    /** Floats of A packed at a time (8 MiB), a whole number of row blocks. */
    static final int A_SUPER = 1 << 21;
    /**
     * Products below this many multiply-adds (about 25 µs of work) run on the calling thread, and parallel chunks
     * get at least this much: handing work to the pool costs some 10-20 µs on a loaded 2-core host.
     */
    private static final long PARALLEL_MIN_WORK = 1L << 20;

    private static final ThreadLocal<float[]> A_PACKED = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> EDGE = ThreadLocal.withInitial(() -> new float[MR * NR]);
    private static final ThreadLocal<float[]> PARTIAL = ThreadLocal.withInitial(() -> new float[0]);

    private Matmul() {}

    /** Scalar definition: {@code C = fma-chain over p of A[i,p]·op(B)[p,j]}, starting at C when accumulating, else 0. */
    public static void gemmReference(int m, int n, int k,
                                     float[] a, int aOff, int lda,
                                     float[] b, int bOff, int ldb, boolean bTransposed,
                                     float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int ci = cOff + i * ldc + j;
                float s = accumulate ? c[ci] : 0f;
                for (int p = 0; p < k; p++) {
                    float bv = bTransposed ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s = Math.fma(a[aOff + i * lda + p], bv, s);
                }
                c[ci] = s;
            }
        }
    }

    /** Fast path of {@link #gemmReference}: packs op(B) and runs {@link #gemmPacked}. */
    public static void gemm(int m, int n, int k,
                            float[] a, int aOff, int lda,
                            float[] b, int bOff, int ldb, boolean bTransposed,
                            float[] c, int cOff, int ldc, boolean accumulate) {
        if (m <= 0 || n <= 0) return;
        PackedMatrix pb = PackedMatrix.pack(k, n, b, bOff, ldb, bTransposed);
        gemmPacked(m, a, aOff, lda, pb, c, cOff, ldc, accumulate);
    }

    /** {@code C[m, pb.cols] (+)= A[m, pb.rows] · B} with B packed once (e.g. a weight at load time). */
    public static void gemmPacked(int m, float[] a, int aOff, int lda, PackedMatrix pb,
                                  float[] c, int cOff, int ldc, boolean accumulate) {
        gemmPacked(m, a, aOff, lda, pb, c, cOff, ldc, accumulate, null, 0);
    }

    /**
     * The linear layer with its bias fused: {@code C = chain + bias[j]}, the chain starting at C when accumulating (a
     * residual already in C), else at 0; {@code bias} ({@code [pb.cols]} from {@code biasOff}) may be null. Bitwise
     * the same as {@link #gemmPacked} followed by {@link Elementwise#addRowVector}, without its pass over C: the
     * micro-kernel adds the bias to a finished tile in registers. (With an epilogue method called per finished tile
     * instead, the separate pass was 14-35 % faster at k = 64-322: bench/RESULTS.md, session 6.)
     */
    public static void gemmPacked(int m, float[] a, int aOff, int lda, PackedMatrix pb,
                                  float[] c, int cOff, int ldc, boolean accumulate, float[] bias, int biasOff) {
        int panels = pb.panels(), k = pb.rows();
        if (m <= 0 || panels == 0) return;
        int microRows = (m + MR - 1) / MR;
        long work = (long) m * pb.cols() * Math.max(1, k);
        if (work < PARALLEL_MIN_WORK || Parallel.threads() == 1) {
            region(m, null, a, aOff, lda, pb, 0, panels, c, cOff, ldc, accumulate, bias, biasOff);
        } else if (microRows >= panels) {
            long perMicroRow = (long) MR * pb.cols() * Math.max(1, k);
            int grain = (int) Math.max(1, PARALLEL_MIN_WORK / perMicroRow);
            Parallel.forRange(microRows, grain, (from, to) -> {
                int i0 = from * MR, i1 = Math.min(m, to * MR);
                region(i1 - i0, null, a, aOff + i0 * lda, lda, pb, 0, panels, c, cOff + i0 * ldc, ldc,
                        accumulate, bias, biasOff);
            });
        } else {
            SharedA shared = new SharedA(m, k, a, aOff, lda, grow(A_PACKED, microRows * MR * k));
            long perPanel = (long) m * NR * Math.max(1, k);
            int grain = (int) Math.max(1, PARALLEL_MIN_WORK / perPanel);
            Parallel.forRange(panels, grain, (from, to) ->
                    region(m, shared, null, 0, 0, pb, from, to, c, cOff + from * NR, ldc, accumulate, bias,
                            biasOff));
        }
    }

    /**
     * Single-threaded core: {@code C[m, cols of panels [panel0, panel1)] (+)= A[m, k] · B[:, panels]}, C's column 0
     * being panel0's first column; A is either {@code shared} by the parallel chunks of a wide product or the window
     * at {@code a}, packed here.
     */
    private static void region(int m, SharedA shared, float[] a, int aOff, int lda, PackedMatrix pb,
                               int panel0, int panel1, float[] c, int cOff, int ldc, boolean accumulate,
                               float[] bias, int biasOff) {
        int k = pb.rows();
        if (m <= 0 || panel1 <= panel0) return;
        if (k <= 0) {
            int cols = Math.min(pb.cols() - panel0 * NR, (panel1 - panel0) * NR);
            if (!accumulate) {
                for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + cols, 0f);
            }
            addBias(c, cOff, ldc, m, cols, bias, biasOff + panel0 * NR);
            return;
        }
        int kBlocks = (k + KC - 1) / KC, mc = rowBlock(k);
        int chunk = Math.max(1, Math.min(panel1 - panel0, B_CHUNK / (kcMax(k) * NR)));
        int superRows = shared != null ? m : Math.max(mc, A_SUPER / k / mc * mc);
        float[] part = kBlocks > 1 ? grow(PARTIAL, chunk * mc * NR) : null;
        for (int s0 = 0; s0 < m; s0 += superRows) {
            int sRows = Math.min(superRows, m - s0);
            float[] ap;
            if (shared != null) {
                ap = shared.packed;
            } else {
                ap = grow(A_PACKED, (sRows + MR - 1) / MR * MR * k);
                packA(sRows, k, a, aOff + s0 * lda, lda, ap, 0);
            }
            for (int pc = panel0; pc < panel1; pc += chunk) {
                for (int i0 = 0; i0 < sRows; i0 += mc) {
                    if (shared != null) shared.await(i0);
                    for (int kb = 0; kb < kBlocks; kb++) {
                        int p0 = (int) ((long) k * kb / kBlocks), p1 = (int) ((long) k * (kb + 1) / kBlocks);
                        macroTile(Math.min(mc, sRows - i0), ap, i0 * k + p0 * MR, k, pb, p0, p1 - p0, kb == 0,
                                kb == kBlocks - 1, accumulate || kb > 0, pc, Math.min(panel1, pc + chunk), panel0, part,
                                mc, c, cOff + (s0 + i0) * ldc, ldc, bias, biasOff);
                    }
                }
            }
        }
    }

    /**
     * One block of {@code rows} packed rows ({@code ap} from {@code ai}, micro-panels {@code k} steps long) times one
     * k block ({@code kc} rows of B from {@code kb0}) of panels {@code [pc, pcEnd)}: reads C (or the partial sums) when
     * {@code load} and this is the first k block, writes C when it is the last, else the partial sums.
     */
    private static void macroTile(int rows, float[] ap, int ai, int k, PackedMatrix pb, int kb0, int kc,
                                  boolean fromC, boolean toC, boolean load, int pc, int pcEnd, int panel0,
                                  float[] part, int mc, float[] c, int cOff, int ldc, float[] bias, int biasOff) {
        float[] edge = EDGE.get();
        float[] b = pb.data();
        for (int panel = pc; panel < pcEnd; panel++) {
            int bi = pb.panelOffset(panel) + kb0 * NR;
            int cols = Math.min(NR, pb.cols() - panel * NR);
            for (int r = 0; r < rows; r += MR) {
                int ci = cOff + r * ldc + (panel - panel0) * NR;
                int pi = ((panel - pc) * mc + r) * NR;
                int tileRows = Math.min(MR, rows - r);
                boolean full = tileRows == MR && cols == NR;
                float[] src = fromC ? c : part, dst = toC ? c : part;
                int si = fromC ? ci : pi, lds = fromC ? ldc : NR, di = toC ? ci : pi, ldd = toC ? ldc : NR;
                if (!full && fromC && load) {
                    for (int t = 0; t < tileRows; t++) System.arraycopy(c, ci + t * ldc, edge, t * NR, cols);
                    src = edge;
                    si = 0;
                    lds = NR;
                }
                if (!full && toC) {
                    dst = edge;
                    di = 0;
                    ldd = NR;
                }
                kernel(kc, ap, ai + r * k, b, bi, load, src, si, lds, dst, di, ldd, full && toC ? bias : null,
                        biasOff + panel * NR);
                if (!full && toC) {
                    for (int t = 0; t < tileRows; t++) System.arraycopy(edge, t * NR, c, ci + t * ldc, cols);
                    addBias(c, ci, ldc, tileRows, cols, bias, biasOff + panel * NR);
                }
            }
        }
    }

    /** {@code c[rows, cols] += bias[0, cols)} (from {@code biasOff}), row by row; nothing when {@code bias} is null. */
    private static void addBias(float[] c, int ci, int ldc, int rows, int cols, float[] bias, int biasOff) {
        if (bias == null) return;
        for (int r = 0; r < rows; r++) Elementwise.addInPlaceReference(c, ci + r * ldc, bias, biasOff, cols);
    }

    /**
     * A thread's buffer of at least {@code floats}: the partial sums of one block of rows over one chunk of panels
     * between k blocks, tile after tile ({@code MR × NR} each, panel-major, so the kernel reads and writes them
     * sequentially; C's rows, a large ldc apart, are touched only by the last k block), or packed A.
     */
    private static float[] grow(ThreadLocal<float[]> local, int floats) {
        float[] buf = local.get();
        if (buf.length < floats) {
            buf = new float[floats];
            local.set(buf);
        }
        return buf;
    }

    /** The longest k block of a product of depth {@code k} (k cut into equal blocks of at most {@link #KC}). */
    private static int kcMax(int k) {
        int kBlocks = (k + KC - 1) / KC;
        return (k + kBlocks - 1) / kBlocks;
    }

    /** Rows of A per block ({@code mc} at depth {@code k}): {@link #A_BLOCK} floats, a multiple of MR. */
    private static int rowBlock(int k) {
        return Math.max(MR, A_BLOCK / kcMax(k) / MR * MR);
    }

    /**
     * The A of a wide product, whose parallel chunks each read all of it: packed once into {@code packed} (with kc =
     * k), a block of {@link #rowBlock} rows at a time by the first chunk that needs the block, while the others
     * compute. (Packed whole on the calling thread before the chunks started, the pack was a serial step of some
     * 4 % of a 256 × 1280 × 1280 product on two threads: bench/RESULTS.md, session 7.)
     */
    private static final class SharedA {
        private static final int FREE = 0, PACKING = 1, READY = 2;
        final float[] packed;
        private final int m, k, block, lda, aOff;
        private final float[] a;
        private final AtomicIntegerArray state;

        SharedA(int m, int k, float[] a, int aOff, int lda, float[] packed) {
            this.m = m;
            this.k = k;
            this.a = a;
            this.aOff = aOff;
            this.lda = lda;
            this.packed = packed;
            this.block = rowBlock(k);
            this.state = new AtomicIntegerArray((m + block - 1) / block);
        }

        /**
         * Returns once the row block from row {@code i0} (a multiple of {@link #rowBlock}) is packed: packs it here
         * unless another chunk is doing so.
         */
        void await(int i0) {
            int b = i0 / block;
            if (state.get(b) == READY) return;
            if (state.compareAndSet(b, FREE, PACKING)) {
                try {
                    packA(Math.min(block, m - i0), k, a, aOff + i0 * lda, lda, packed, i0 * k);
                } finally {
                    state.set(b, READY); // also on failure, which the pool rethrows: no chunk waits for ever
                }
            } else {
                while (state.get(b) != READY) Thread.onSpinWait();
            }
        }
    }

    /**
     * Packs {@code A[rows, kc]} into {@code ap} from {@code apOff} as MR-row micro-panels, each {@code kc} steps of its
     * MR rows' elements ({@code (r, p)} at {@code r / MR * MR * kc + p * MR + r % MR}), so the micro-kernel reads one
     * sequential stream; rows past {@code rows} up to the next multiple of MR are zeroed.
     */
    static void packA(int rows, int kc, float[] a, int aOff, int lda, float[] ap, int apOff) {
        for (int r0 = 0; r0 < rows; r0 += MR) {
            int o = apOff + r0 * kc, n = Math.min(MR, rows - r0);
            if (n < MR) java.util.Arrays.fill(ap, o, o + MR * kc, 0f);
            // a row at a time (sequential reads, strided writes): 1.3-1.6x faster than the four rows of a step together
            for (int r = 0; r < n; r++) {
                for (int p = 0, ai = aOff + (r0 + r) * lda; p < kc; p++) ap[o + p * MR + r] = a[ai + p];
            }
        }
    }

    /**
     * The MR × 2L register tile over one k block: 8 accumulators, two B vectors and four broadcasts live per step. A
     * is the packed micro-panel at {@code ai} (kc steps of MR values), B the panel sliver at {@code bi}. Starts from
     * the tile at {@code src} when {@code load}, else from 0, adds {@code bias[biasOff, biasOff + NR)} to every row
     * unless {@code bias} is null, and writes the tile at {@code dst}. {@link AttentionKernel} calls it on operands
     * it lays out itself.
     */
    static void kernel(int kc, float[] ap, int ai, float[] b, int bi, boolean load,
                       float[] src, int si, int lds, float[] dst, int di, int ldd, float[] bias, int biasOff) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31;
        if (load) {
            int s1 = si + lds, s2 = s1 + lds, s3 = s2 + lds;
            c00 = FloatVector.fromArray(S, src, si); c01 = FloatVector.fromArray(S, src, si + L);
            c10 = FloatVector.fromArray(S, src, s1); c11 = FloatVector.fromArray(S, src, s1 + L);
            c20 = FloatVector.fromArray(S, src, s2); c21 = FloatVector.fromArray(S, src, s2 + L);
            c30 = FloatVector.fromArray(S, src, s3); c31 = FloatVector.fromArray(S, src, s3 + L);
        } else {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = FloatVector.zero(S);
        }
        for (int q = ai, end = ai + MR * kc; q < end; q += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector x = FloatVector.broadcast(S, ap[q]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[q + 1]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[q + 2]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[q + 3]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
        }
        if (bias != null) {
            FloatVector b0 = FloatVector.fromArray(S, bias, biasOff), b1 = FloatVector.fromArray(S, bias, biasOff + L);
            c00 = c00.add(b0); c01 = c01.add(b1);
            c10 = c10.add(b0); c11 = c11.add(b1);
            c20 = c20.add(b0); c21 = c21.add(b1);
            c30 = c30.add(b0); c31 = c31.add(b1);
        }
        int d1 = di + ldd, d2 = d1 + ldd, d3 = d2 + ldd;
        c00.intoArray(dst, di); c01.intoArray(dst, di + L);
        c10.intoArray(dst, d1); c11.intoArray(dst, d1 + L);
        c20.intoArray(dst, d2); c21.intoArray(dst, d2 + L);
        c30.intoArray(dst, d3); c31.intoArray(dst, d3 + L);
    }
}
