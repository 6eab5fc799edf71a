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
 * scores per worker: linear in M. With {@code probs} the probabilities are materialised block by block.
 * Block sizes and the key-block order are constants, so results never depend on the thread count.
 */
public final class AttentionKernel {
    private static final int SCORE_BLOCK_FLOATS = 1 << 18;
    /** Query rows per streamed task (a multiple of the matmul tile height). */
    static final int QUERY_BLOCK = 96;
    /** Keys per streamed block (a multiple of the matmul panel width, at most its k block). */
    static final int KEY_BLOCK = 256;

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
     * Fast path of {@link #attendReference}: keys and values packed once per head, parallel over (head, row block);
     * streaming (linear memory) when {@code probs} is null, materialised probabilities otherwise.
     */
    public static void attend(Tensor q, Tensor k, Tensor v, int heads, float[] mask, Tensor out, Tensor probs) {
        int n = q.dim(0), m = k.dim(0), dk = q.dim(1) / heads, dv = v.dim(1) / heads;
        if (n == 0) return;
        if (m == 0) {
            for (int i = 0; i < n; i++) {
                int o = out.offset() + i * out.dim(1);
                java.util.Arrays.fill(out.data(), o, o + heads * dv, 0f);
            }
            return;
        }
        PackedMatrix[] keysT = new PackedMatrix[heads];
        PackedMatrix[] values = new PackedMatrix[heads];
        Parallel.forRange(heads, 1, (from, to) -> {
            for (int h = from; h < to; h++) {
                keysT[h] = PackedMatrix.pack(dk, m, k.data(), k.offset() + h * dk, k.dim(1), true);
                values[h] = PackedMatrix.pack(m, dv, v.data(), v.offset() + h * dv, v.dim(1), false);
            }
        });
        float scale = (float) (1 / Math.sqrt(dk));
        if (probs == null) {
            streamed(q, keysT, values, heads, dk, dv, scale, mask, out);
        } else {
            materialised(q, keysT, values, heads, dk, dv, scale, mask, out, probs);
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

    private static void streamed(Tensor q, PackedMatrix[] keysT, PackedMatrix[] values, int heads, int dk, int dv,
                                 float scale, float[] mask, Tensor out) {
        int n = q.dim(0);
        int blocks = (n + QUERY_BLOCK - 1) / QUERY_BLOCK;
        Parallel.forRange(heads * blocks, 1, (from, to) -> {
            float[] s = SCORES.get();
            float[] max = new float[QUERY_BLOCK], sum = new float[QUERY_BLOCK];
            for (int t = from; t < to; t++) {
                int h = t / blocks, i0 = (t % blocks) * QUERY_BLOCK, rows = Math.min(QUERY_BLOCK, n - i0);
                streamBlock(rows, q.data(), q.offset() + i0 * q.dim(1) + h * dk, q.dim(1), keysT[h], values[h],
                        scale, mask, out.data(), out.offset() + i0 * out.dim(1) + h * dv, out.dim(1), s, max, sum);
            }
        });
    }

    /**
     * One head and one block of query rows: {@code out[rows, dv] = softmax(scale · q kᵀ + mask) v}, keys and values
     * streamed in blocks of KEY_BLOCK. {@code s} holds one block of scores, {@code max}/{@code sum} the running
     * row max and row sum of exponentials.
     */
    static void streamBlock(int rows, float[] q, int qOff, int ldq, PackedMatrix keysT, PackedMatrix values,
                            float scale, float[] mask, float[] out, int oOff, int ldo,
                            float[] s, float[] max, float[] sum) {
        int m = keysT.cols(), dk = keysT.rows(), dv = values.cols();
        for (int j0 = 0; j0 < m; j0 += KEY_BLOCK) {
            int kb = Math.min(KEY_BLOCK, m - j0);
            boolean first = j0 == 0;
            Matmul.region(rows, q, qOff, ldq, keysT, 0, dk, j0 / Matmul.NR, (j0 + kb + Matmul.NR - 1) / Matmul.NR,
                    s, 0, KEY_BLOCK, false);
            for (int r = 0; r < rows; r++) {
                int so = r * KEY_BLOCK;
                float blockMax = Softmax.scaleMaskMax(s, so, kb, scale, mask, j0);
                float newMax = first ? blockMax : Math.max(max[r], blockMax);
                float blockSum = Softmax.expSubtract(s, so, kb, newMax);
                if (first) {
                    sum[r] = blockSum;
                } else {
                    float alpha = VecMath.exp(max[r] - newMax);
                    sum[r] = sum[r] * alpha + blockSum;
                    if (alpha != 1f) Softmax.scaleInPlace(out, oOff + r * ldo, dv, alpha);
                }
                max[r] = newMax;
            }
            Matmul.region(rows, s, 0, KEY_BLOCK, values, j0, j0 + kb, 0, values.panels(), out, oOff, ldo, !first);
        }
        for (int r = 0; r < rows; r++) Softmax.scaleInPlace(out, oOff + r * ldo, dv, 1f / sum[r]);
    }
}
