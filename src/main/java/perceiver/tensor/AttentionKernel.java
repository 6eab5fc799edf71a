package perceiver.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Multi-head scaled dot-product attention over already projected arrays of one batch element:
 * for each head h, {@code out_h = softmax(q_h k_hᵀ / sqrt(dk) + mask) v_h}, heads taking contiguous channel slices
 * ({@code q_h = q[:, h·dk : (h+1)·dk]}) and re-concatenated in head order.
 *
 * <p>Shapes: {@code q [N, H·dk]}, {@code k [M, H·dk]}, {@code v [M, H·dv]}, {@code mask [M]} additive or null,
 * {@code out [N, H·dv]}, {@code probs [H, N, M]} or null.
 *
 * <p>Without {@code probs} the N×M score matrix is never formed: per (head, block of {@link #QUERY_BLOCK} query rows)
 * the keys and values stream by in blocks of {@link #KEY_BLOCK} through an online softmax (running max and running
 * sum per row, earlier partial outputs rescaled by {@code exp(oldMax - newMax)}) fused with the value product, so the
 * memory beyond the inputs is the packed keys and values plus, per worker, {@code QUERY_BLOCK × KEY_BLOCK} scores and
 * the block's packed queries and running output: linear in M. The block is worked transposed ({@link QueryBlock}:
 * scores with the queries across), so that the scores feed the value product without repacking and the softmax needs
 * no horizontal sums. {@link Stream} takes the keys and values in several blocks of rows, so that a caller can form
 * them a block at a time from a long input (the encoder does): then not even they exist in full. With {@code probs}
 * the probabilities are materialised block by block. Block sizes and the key-block order are constants, so results
 * never depend on the thread count or on how the keys were split into {@link Stream#add} calls.
 */
public final class AttentionKernel {
    private static final int SCORE_BLOCK_FLOATS = 1 << 18;
    /** Query rows per streamed task (a multiple of the matmul panel width {@link Matmul#NR}). */
    static final int QUERY_BLOCK = 96;
    /** Keys per streamed block (a multiple of the matmul tile height {@link Matmul#MR}). */
    public static final int KEY_BLOCK = 256;

    private AttentionKernel() {}

    /** Scalar definition. */
    public static void attendReference(Tensor q, Tensor k, Tensor v, int heads, float[] mask, Tensor out, Tensor probs) {
        int n = q.dim(0), m = k.dim(0), dk = q.dim(1) / heads, dv = v.dim(1) / heads;
        float scale = (float) (1 / Math.sqrt(dk));
        float[] s = new float[m];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < n; i++) {
                Matmul.gemmReference(1, m, dk, q.data(), q.offset() + i * q.dim(1) + h * dk, q.dim(1),
                        k.data(), k.offset() + h * dk, k.dim(1), true, s, 0, m, false);
                Softmax.softmaxReference(s, 0, 1, m, m, scale, mask);
                if (probs != null) System.arraycopy(s, 0, probs.data(), probs.offset() + (h * n + i) * m, m);
                Matmul.gemmReference(1, dv, m, s, 0, m, v.data(), v.offset() + h * dv, v.dim(1), false,
                        out.data(), out.offset() + i * out.dim(1) + h * dv, out.dim(1), false);
            }
        }
    }

    /**
     * Fast path of {@link #attendReference}: streaming (linear memory, {@link Stream}) when {@code probs} is null;
     * otherwise keys and values packed once per head and the probabilities materialised block by block.
     */
    public static void attend(Tensor q, Tensor k, Tensor v, int heads, float[] mask, Tensor out, Tensor probs) {
        if (probs == null) {
            Stream stream = new Stream(q, heads, out);
            stream.add(k, v, mask);
            stream.finish();
            return;
        }
        int n = q.dim(0), m = k.dim(0), dk = q.dim(1) / heads, dv = v.dim(1) / heads;
        if (n == 0) return;
        if (m == 0) {
            zeroRows(out, n, heads * dv);
            return;
        }
        PackedMatrix[] keysT = new PackedMatrix[heads];
        PackedMatrix[] values = new PackedMatrix[heads];
        pack(k, v, heads, keysT, values);
        materialised(q, keysT, values, heads, dk, dv, (float) (1 / Math.sqrt(dk)), mask, out, probs);
    }

    private static void pack(Tensor k, Tensor v, int heads, PackedMatrix[] keysT, PackedMatrix[] values) {
        int m = k.dim(0), dk = k.dim(1) / heads, dv = v.dim(1) / heads;
        Parallel.forRange(heads, 1, (from, to) -> {
            for (int h = from; h < to; h++) {
                keysT[h] = PackedMatrix.pack(dk, m, k.data(), k.offset() + h * dk, k.dim(1), true);
                values[h] = PackedMatrix.pack(m, dv, v.data(), v.offset() + h * dv, v.dim(1), false);
            }
        });
    }

    /** Zeroes the first {@code width} columns of rows {@code [0, rows)}. */
    private static void zeroRows(Tensor t, int rows, int width) {
        for (int i = 0; i < rows; i++) {
            int o = t.offset() + i * t.dim(1);
            java.util.Arrays.fill(t.data(), o, o + width, 0f);
        }
    }

    /**
     * Streamed attention of fixed queries {@code q [N, H·dk]} over keys and values that arrive in blocks of rows
     * ({@link #add}), e.g. projected from a long input a block at a time so that they never exist all at once.
     * Between blocks the state is the running max and sum per (head, query row) and the unnormalised output in
     * {@code out [N, H·dv]}; {@link #finish} divides by the sums. Every block but the last must hold a multiple of
     * {@link #KEY_BLOCK} keys: then the key blocks, and so the arithmetic, are those of one {@code add} of all keys,
     * bit for bit.
     */
    public static final class Stream {
        private final Tensor q;
        private final Tensor out;
        private final int heads;
        private final float[] max;
        private final float[] sum;
        private int keys;

        public Stream(Tensor q, int heads, Tensor out) {
            this.q = q;
            this.out = out;
            this.heads = heads;
            this.max = new float[heads * q.dim(0)];
            this.sum = new float[heads * q.dim(0)];
        }

        /**
         * The next keys {@code k [mk, H·dk]} and values {@code v [mk, H·dv]}; {@code mask}: the additive mask of
         * all keys, indexed from the first key of the first block, or null.
         */
        public void add(Tensor k, Tensor v, float[] mask) {
            int n = q.dim(0), mk = k.dim(0), dk = q.dim(1) / heads, dv = v.dim(1) / heads;
            if (v.dim(0) != mk) {
                throw new IllegalArgumentException("attention: " + mk + " keys but " + v.dim(0) + " values");
            }
            if (mask != null && mask.length < keys + mk) {
                throw new IllegalArgumentException("attention: a mask of " + mask.length + " keys for "
                        + (keys + mk) + " keys");
            }
            if (mk == 0 || n == 0) return;
            if (keys % KEY_BLOCK != 0) {
                throw new IllegalStateException("a key block of " + keys % KEY_BLOCK + " keys (not a multiple of "
                        + KEY_BLOCK + ") was not the last");
            }
            Operands kv = Operands.pack(k, v, heads);
            float scale = (float) (1 / Math.sqrt(dk));
            int blocks = (n + QUERY_BLOCK - 1) / QUERY_BLOCK, base = keys;
            Parallel.forRange(heads * blocks, 1, (from, to) -> {
                for (int t = from; t < to; t++) {
                    int h = t / blocks, i0 = (t % blocks) * QUERY_BLOCK;
                    new QueryBlock(Math.min(QUERY_BLOCK, n - i0), dk, dv, out.data(),
                            out.offset() + i0 * out.dim(1) + h * dv, out.dim(1), h * n + i0)
                            .run(q.data(), q.offset() + i0 * q.dim(1) + h * dk, q.dim(1), kv.keys[h], kv.values[h],
                                    mk, base, scale, mask, max, sum);
                }
            });
            keys += mk;
        }

        /** Normalises the output rows (all zeros when no key came). */
        public void finish() {
            int n = q.dim(0), width = out.dim(1), dv = width / heads;
            if (keys == 0) {
                zeroRows(out, n, width);
                return;
            }
            Parallel.forRange(n, 256, (from, to) -> {
                for (int i = from; i < to; i++) {
                    for (int h = 0; h < heads; h++) {
                        Softmax.scaleInPlace(out.data(), out.offset() + i * width + h * dv, dv, 1f / sum[h * n + i]);
                    }
                }
            });
        }
    }

    /**
     * One {@code add}'s keys and values per head, packed as the A operand of the matrix-product micro-kernel
     * ({@link Matmul#MR}-row micro-panels): {@code keys[h]} is {@code k_h [mk, dk]} (MR keys a panel, dk steps long),
     * {@code values[h]} is {@code v_hᵀ [dv, mk]} (MR value channels a panel, mk steps long).
     */
    private record Operands(float[][] keys, float[][] values) {
        static Operands pack(Tensor k, Tensor v, int heads) {
            int mk = k.dim(0), dk = k.dim(1) / heads, dv = v.dim(1) / heads, mr = Matmul.MR, nr = Matmul.NR;
            int chunks = (mk + KEY_BLOCK - 1) / KEY_BLOCK;
            Operands kv = new Operands(new float[heads][], new float[heads][]);
            for (int h = 0; h < heads; h++) {
                kv.keys[h] = new float[roundUp(mk, mr) * dk];
                kv.values[h] = new float[roundUp(dv, mr) * mk];
            }
            Parallel.forRange(heads * chunks, 1, (from, to) -> {
                for (int t = from; t < to; t++) {
                    int h = t / chunks, j0 = (t % chunks) * KEY_BLOCK, j1 = Math.min(mk, j0 + KEY_BLOCK);
                    Matmul.packA(j1 - j0, dk, k.data(), k.offset() + j0 * k.dim(1) + h * dk, k.dim(1), kv.keys[h],
                            j0 * dk);
                    float[] vt = kv.values[h];
                    // NR keys at a time, so that each write to a panel fills a cache line: key by key, consecutive
                    // writes were MR · mk floats apart, for a power-of-two mk all in one set of the L1 cache
                    for (int jb = j0; jb < j1; jb += nr) {
                        for (int c0 = 0; c0 < dv; c0 += mr) {
                            for (int j = jb, dst = c0 * mk + jb * mr; j < Math.min(j1, jb + nr); j++, dst += mr) {
                                int src = v.offset() + j * v.dim(1) + h * dv + c0;
                                for (int c = 0; c < Math.min(mr, dv - c0); c++) vt[dst + c] = v.data()[src + c];
                            }
                        }
                    }
                }
            });
            return kv;
        }
    }

    private static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }

    private static void materialised(Tensor q, PackedMatrix[] keysT, PackedMatrix[] values, int heads, int dk,
                                     int dv, float scale, float[] mask, Tensor out, Tensor probs) {
        int n = q.dim(0), m = keysT[0].cols();
        int block = Math.max(1, Math.min(n, SCORE_BLOCK_FLOATS / Math.max(1, m)));
        int blocks = (n + block - 1) / block;
        Parallel.forRange(heads * blocks, 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                int h = t / blocks, i0 = (t % blocks) * block, rows = Math.min(block, n - i0);
                int sOff = probs.offset() + (h * n + i0) * m;
                Matmul.gemmPacked(rows, q.data(), q.offset() + i0 * q.dim(1) + h * dk, q.dim(1), keysT[h],
                        probs.data(), sOff, m, false);
                Softmax.softmax(probs.data(), sOff, rows, m, m, scale, mask);
                Matmul.gemmPacked(rows, probs.data(), sOff, m, values[h],
                        out.data(), out.offset() + i0 * out.dim(1) + h * dv, out.dim(1), false);
            }
        });
    }

    /**
     * One head and one block of at most {@link #QUERY_BLOCK} query rows against the keys of one {@code add}, worked
     * transposed so that nothing is repacked between the two products: per block of {@link #KEY_BLOCK} keys,
     * {@code sᵀ = k qᵀ} is written straight into the panel layout of {@link PackedMatrix} (NR queries across, keys
     * down), where the online softmax runs down the keys with the queries in vector lanes (no horizontal
     * reductions), and {@code outᵀ (+)= v_hᵀ · pᵀ} reads those panels as its B operand. {@code outᵀ} and the running
     * max and sum live in per-thread buffers for the whole call and are copied from and back to {@code out} and
     * the stream's state only when keys came before ({@code keyBase > 0}) and at the end.
     */
    private static final class QueryBlock {
        private static final int NR = Matmul.NR, L = Matmul.L;
        private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[5][0]);

        private final int rows, dk, dv, dvPad, panels, ldo, oOff, stateOff;
        private final float[] out, qt, s, acc, max, sum;

        QueryBlock(int rows, int dk, int dv, float[] out, int oOff, int ldo, int stateOff) {
            this.rows = rows;
            this.dk = dk;
            this.dv = dv;
            this.dvPad = roundUp(dv, Matmul.MR);
            this.panels = (rows + NR - 1) / NR;
            this.out = out;
            this.oOff = oOff;
            this.ldo = ldo;
            this.stateOff = stateOff;
            float[][] w = SCRATCH.get();
            qt = grow(w, 0, panels * NR * dk);
            s = grow(w, 1, panels * NR * KEY_BLOCK);
            acc = grow(w, 2, panels * NR * dvPad);
            max = grow(w, 3, panels * NR);
            sum = grow(w, 4, panels * NR);
        }

        private static float[] grow(float[][] w, int i, int floats) {
            if (w[i].length < floats) w[i] = new float[floats];
            return w[i];
        }

        /**
         * {@code q [rows, dk]} at {@code qOff} (row stride {@code ldq}) against {@code mk} keys and values packed by
         * {@link Operands}, the first being key {@code keyBase} of the stream; {@code streamMax}, {@code streamSum}:
         * the stream's state.
         */
        void run(float[] q, int qOff, int ldq, float[] keys, float[] values, int mk, int keyBase, float scale,
                 float[] mask, float[] streamMax, float[] streamSum) {
            packQueries(q, qOff, ldq);
            if (keyBase > 0) exchange(false, streamMax, streamSum);
            for (int j0 = 0; j0 < mk; j0 += KEY_BLOCK) {
                int kb = Math.min(KEY_BLOCK, mk - j0);
                boolean first = keyBase + j0 == 0;
                for (int r = 0; r < kb; r += Matmul.MR) {
                    for (int p = 0; p < panels; p++) {
                        Matmul.kernel(dk, keys, (j0 + r) * dk, qt, p * dk * NR, false, null, 0, 0,
                                s, (p * KEY_BLOCK + r) * NR, NR, null, 0);
                    }
                }
                for (int p = 0; p < panels; p++) softmax(p, kb, first, scale, mask, keyBase + j0);
                for (int c0 = 0; c0 < dvPad; c0 += Matmul.MR) {
                    for (int p = 0; p < panels; p++) {
                        int ai = (p * dvPad + c0) * NR;
                        Matmul.kernel(kb, values, c0 * mk + j0 * Matmul.MR, s, p * KEY_BLOCK * NR, !first,
                                acc, ai, NR, acc, ai, NR, null, 0);
                    }
                }
            }
            exchange(true, streamMax, streamSum);
        }

        /**
         * Copies the running output rows between {@code acc} and {@code out} (to {@code out} when {@code toOut}), and
         * the running max and sum between this block and the stream's state.
         */
        private void exchange(boolean toOut, float[] streamMax, float[] streamSum) {
            for (int i0 = 0; i0 < rows; i0 += NR) {
                int width = Math.min(NR, rows - i0);
                for (int c = 0, a = i0 * dvPad; c < dv; c++, a += NR) {
                    for (int i = 0, o = oOff + i0 * ldo + c; i < width; i++, o += ldo) {
                        if (toOut) out[o] = acc[a + i];
                        else acc[a + i] = out[o];
                    }
                }
            }
            if (toOut) {
                System.arraycopy(max, 0, streamMax, stateOff, rows);
                System.arraycopy(sum, 0, streamSum, stateOff, rows);
            } else {
                System.arraycopy(streamMax, stateOff, max, 0, rows);
                System.arraycopy(streamSum, stateOff, sum, 0, rows);
            }
        }

        /** {@code qᵀ} as panels of NR queries ({@code [dk, NR]} each), zero past the block's rows. */
        private void packQueries(float[] q, int qOff, int ldq) {
            for (int i = rows; i < panels * NR; i++) {
                for (int c = 0, dst = i / NR * NR * dk + i % NR; c < dk; c++) qt[dst + c * NR] = 0f;
            }
            for (int i = 0; i < rows; i++) {
                int dst = i / NR * NR * dk + i % NR;
                for (int c = 0; c < dk; c++) qt[dst + c * NR] = q[qOff + i * ldq + c];
            }
        }

        /**
         * The online softmax of one panel's scores {@code sᵀ [kb, NR]} (mask from {@code maskOff}): scales, masks and
         * exponentiates them in place, updates the panel's running max and sum, and rescales its running output by
         * {@code exp(oldMax - newMax)}. Per query, the operations of {@link Softmax#scaleMaskMax} and
         * {@link Softmax#expSubtract}; the block's sum adds its exponentials in key order.
         */
        private void softmax(int p, int kb, boolean first, float scale, float[] mask, int maskOff) {
            VectorSpecies<Float> sp = Matmul.S; // a panel is two vectors: NR = 2L
            int o = p * KEY_BLOCK * NR, st = p * NR;
            FloatVector m0 = FloatVector.broadcast(sp, Float.NEGATIVE_INFINITY), m1 = m0;
            for (int j = 0, x = o; j < kb; j++, x += NR) {
                FloatVector a = FloatVector.fromArray(sp, s, x).mul(scale);
                FloatVector b = FloatVector.fromArray(sp, s, x + L).mul(scale);
                if (mask != null) {
                    a = a.add(mask[maskOff + j]);
                    b = b.add(mask[maskOff + j]);
                }
                a.intoArray(s, x);
                b.intoArray(s, x + L);
                m0 = m0.max(a);
                m1 = m1.max(b);
            }
            FloatVector old0 = FloatVector.fromArray(sp, max, st), old1 = FloatVector.fromArray(sp, max, st + L);
            if (!first) {
                m0 = m0.max(old0);
                m1 = m1.max(old1);
            }
            FloatVector s0 = FloatVector.zero(sp), s1 = s0;
            for (int j = 0, x = o; j < kb; j++, x += NR) {
                FloatVector a = VecMath.exp(FloatVector.fromArray(sp, s, x).sub(m0));
                FloatVector b = VecMath.exp(FloatVector.fromArray(sp, s, x + L).sub(m1));
                a.intoArray(s, x);
                b.intoArray(s, x + L);
                s0 = s0.add(a);
                s1 = s1.add(b);
            }
            if (!first) {
                FloatVector alpha0 = VecMath.exp(old0.sub(m0)), alpha1 = VecMath.exp(old1.sub(m1));
                s0 = FloatVector.fromArray(sp, sum, st).mul(alpha0).add(s0);
                s1 = FloatVector.fromArray(sp, sum, st + L).mul(alpha1).add(s1);
                for (int c = 0, a = p * dvPad * NR; c < dvPad; c++, a += NR) {
                    FloatVector.fromArray(sp, acc, a).mul(alpha0).intoArray(acc, a);
                    FloatVector.fromArray(sp, acc, a + L).mul(alpha1).intoArray(acc, a + L);
                }
            }
            m0.intoArray(max, st);
            m1.intoArray(max, st + L);
            s0.intoArray(sum, st);
            s1.intoArray(sum, st + L);
        }
    }
}
