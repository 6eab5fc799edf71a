package perceiver.tensor;

/**
 * Multi-head scaled dot-product attention over already projected arrays of one batch element:
 * for each head h, {@code out_h = softmax(q_h k_hᵀ / sqrt(dk) + mask) v_h}, heads taking contiguous channel slices
 * ({@code q_h = q[:, h·dk : (h+1)·dk]}) and re-concatenated in head order.
 *
 * <p>Shapes: {@code q [N, H·dk]}, {@code k [M, H·dk]}, {@code v [M, H·dv]}, {@code mask [M]} additive or null,
 * {@code out [N, H·dv]}, {@code probs [H, N, M]} or null.
 *
 * <p>Without {@code probs} the N×M score matrix is never formed: per (head, block of {@link #QUERY_BLOCK} query
 * rows) the keys and values stream by in blocks of {@link #KEY_BLOCK} through an online softmax (running max and
 * running sum per row, earlier partial outputs rescaled by {@code exp(oldMax - newMax)}) fused with the value
 * product, so the memory beyond the inputs is the packed keys and values plus {@code QUERY_BLOCK × KEY_BLOCK}
 * scores per worker: linear in M. {@link Stream} takes the keys and values in several blocks of rows, so that a
 * caller can form them a block at a time from a long input (the encoder does): then not even they exist in full.
 * With {@code probs} the probabilities are materialised block by block. Block sizes and the key-block order are
 * constants, so results never depend on the thread count or on how the keys were split into {@link Stream#add} calls.
 */
public final class AttentionKernel {
    private static final int SCORE_BLOCK_FLOATS = 1 << 18;
    /** Query rows per streamed task (a multiple of the matmul tile height). */
    static final int QUERY_BLOCK = 96;
    /** Keys per streamed block (a multiple of the matmul panel width, at most its k block). */
    public static final int KEY_BLOCK = 256;

    private static final ThreadLocal<float[]> SCORES = ThreadLocal.withInitial(() -> new float[QUERY_BLOCK * KEY_BLOCK]);

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
            if (mk == 0 || n == 0) return;
            if (keys % KEY_BLOCK != 0) {
                throw new IllegalStateException("a key block of " + keys % KEY_BLOCK + " keys (not a multiple of "
                        + KEY_BLOCK + ") was not the last");
            }
            PackedMatrix[] keysT = new PackedMatrix[heads];
            PackedMatrix[] values = new PackedMatrix[heads];
            pack(k, v, heads, keysT, values);
            float scale = (float) (1 / Math.sqrt(dk));
            int blocks = (n + QUERY_BLOCK - 1) / QUERY_BLOCK, base = keys;
            Parallel.forRange(heads * blocks, 1, (from, to) -> {
                float[] s = SCORES.get();
                for (int t = from; t < to; t++) {
                    int h = t / blocks, i0 = (t % blocks) * QUERY_BLOCK, rows = Math.min(QUERY_BLOCK, n - i0);
                    streamBlock(rows, q.data(), q.offset() + i0 * q.dim(1) + h * dk, q.dim(1), keysT[h], values[h],
                            base, scale, mask, out.data(), out.offset() + i0 * out.dim(1) + h * dv, out.dim(1),
                            s, max, sum, h * n + i0);
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
     * One head and one block of query rows against keys {@code [keyBase, keyBase + keysT.cols())} of the stream:
     * the running {@code out[rows, dv] = Σ exp(scale · q kᵀ + mask - max) v} with keys and values in blocks of
     * KEY_BLOCK. {@code s} holds one block of scores, {@code max}/{@code sum} (from {@code stateOff}) the running row
     * max and row sum of exponentials; the first key of the stream starts them.
     */
    static void streamBlock(int rows, float[] q, int qOff, int ldq, PackedMatrix keysT, PackedMatrix values,
                            int keyBase, float scale, float[] mask, float[] out, int oOff, int ldo,
                            float[] s, float[] max, float[] sum, int stateOff) {
        int m = keysT.cols(), dk = keysT.rows(), dv = values.cols();
        for (int j0 = 0; j0 < m; j0 += KEY_BLOCK) {
            int kb = Math.min(KEY_BLOCK, m - j0);
            boolean first = keyBase + j0 == 0;
            Matmul.region(rows, q, qOff, ldq, keysT, 0, dk, j0 / Matmul.NR, (j0 + kb + Matmul.NR - 1) / Matmul.NR,
                    s, 0, KEY_BLOCK, false);
            for (int r = 0; r < rows; r++) {
                int so = r * KEY_BLOCK, st = stateOff + r;
                float blockMax = Softmax.scaleMaskMax(s, so, kb, scale, mask, keyBase + j0);
                float newMax = first ? blockMax : Math.max(max[st], blockMax);
                float blockSum = Softmax.expSubtract(s, so, kb, newMax);
                if (first) {
                    sum[st] = blockSum;
                } else {
                    float alpha = VecMath.exp(max[st] - newMax);
                    sum[st] = sum[st] * alpha + blockSum;
                    if (alpha != 1f) Softmax.scaleInPlace(out, oOff + r * ldo, dv, alpha);
                }
                max[st] = newMax;
            }
            Matmul.region(rows, s, 0, KEY_BLOCK, values, j0, j0 + kb, 0, values.panels(), out, oOff, ldo, !first);
        }
    }
}
