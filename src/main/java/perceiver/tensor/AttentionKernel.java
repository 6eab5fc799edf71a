package perceiver.tensor;

/**
 * Multi-head scaled dot-product attention over already projected arrays of one batch element:
 * for each head h, {@code out_h = softmax(q_h k_hᵀ / sqrt(dk) + mask) v_h}, heads taking contiguous channel slices
 * ({@code q_h = q[:, h·dk : (h+1)·dk]}) and re-concatenated in head order.
 *
 * <p>Shapes: {@code q [N, H·dk]}, {@code k [M, H·dk]}, {@code v [M, H·dv]}, {@code mask [M]} additive or null,
 * {@code out [N, H·dv]}, {@code probs [H, N, M]} or null. Query rows are processed in blocks, so the score memory is
 * {@code blockRows × M} per worker unless the probabilities are asked for.
 */
public final class AttentionKernel {
    private static final int SCORE_BLOCK_FLOATS = 1 << 18;

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

    /** Fast path of {@link #attendReference}: keys and values packed once per head, parallel over (head, row block). */
    public static void attend(Tensor q, Tensor k, Tensor v, int heads, float[] mask, Tensor out, Tensor probs) {
        int n = q.dim(0), m = k.dim(0), dk = q.dim(1) / heads, dv = v.dim(1) / heads;
        float scale = (float) (1 / Math.sqrt(dk));
        PackedMatrix[] keysT = new PackedMatrix[heads];
        PackedMatrix[] values = new PackedMatrix[heads];
        Parallel.forRange(heads, 1, (from, to) -> {
            for (int h = from; h < to; h++) {
                keysT[h] = PackedMatrix.pack(dk, m, k.data(), k.offset() + h * dk, k.dim(1), true);
                values[h] = PackedMatrix.pack(m, dv, v.data(), v.offset() + h * dv, v.dim(1), false);
            }
        });
        int block = Math.max(1, Math.min(n, SCORE_BLOCK_FLOATS / Math.max(1, m)));
        int blocks = (n + block - 1) / block;
        Parallel.forRange(heads * blocks, 1, (from, to) -> {
            float[] scores = probs == null ? new float[block * m] : null;
            for (int t = from; t < to; t++) {
                int h = t / blocks, i0 = (t % blocks) * block, rows = Math.min(block, n - i0);
                float[] s = probs == null ? scores : probs.data();
                int sOff = probs == null ? 0 : probs.offset() + (h * n + i0) * m;
                Matmul.gemmPacked(rows, q.data(), q.offset() + i0 * q.dim(1) + h * dk, q.dim(1), keysT[h],
                        s, sOff, m, false);
                Softmax.softmax(s, sOff, rows, m, m, scale, mask);
                Matmul.gemmPacked(rows, s, sOff, m, values[h],
                        out.data(), out.offset() + i0 * out.dim(1) + h * dv, out.dim(1), false);
            }
        });
    }
}
