package perceiver.nn;

import perceiver.tensor.Backend;
import perceiver.tensor.Tensor;

/**
 * Multi-head QKV attention, the paper's Eq. 1-3 (Perceiver IO, Appendix A):
 * <pre>
 *   Q = f_Q(X_Q),  K = f_K(X_KV),  V = f_V(X_KV)           (1)
 *   X_QK = softmax(Q Kᵀ / √F)                              (2)
 *   Attn(X_Q, X_KV) = f_O(X_QK V)                           (3)
 * </pre>
 * with {@code f_*} linear layers, channels split contiguously into heads, {@code F} the per-head query/key width,
 * and an optional additive mask on the keys. {@code query}/{@code key} map to {@code qk} channels, {@code value} to
 * {@code v} channels, {@code output} maps {@code v} to the output width.
 */
public record Attention(Linear query, Linear key, Linear value, Linear output, int heads) {

    public Attention {
        if (query.out() != key.out()) {
            throw new IllegalArgumentException("query and key widths differ: " + query.out() + " vs " + key.out());
        }
        if (query.out() % heads != 0 || value.out() % heads != 0) {
            throw new IllegalArgumentException("qk channels " + query.out() + " and v channels " + value.out()
                    + " must be divisible by the number of heads " + heads);
        }
    }

    /**
     * @param xq    {@code [B, N, Cq]} (already layer-normalised)
     * @param xkv   {@code [B, M, Ckv]} (already layer-normalised)
     * @param mask  additive key mask {@code [B][M]} or null
     * @param probs destination {@code [B, heads, N, M]} for the attention probabilities, or null
     * @return {@code [B, N, output.out()]}
     */
    public <A> A forward(Backend<A> be, A xq, A xkv, float[][] mask, Tensor probs) {
        A q = query.forward(be, xq);
        A k = key.forward(be, xkv);
        A v = value.forward(be, xkv);
        return output.forward(be, attend(be, q, k, v, heads, mask, probs));
    }

    /**
     * Eq. 2-3 without projections: {@code softmax(q_h k_hᵀ / √F + mask) v_h} per batch element and head.
     * {@code q [B, N, H·F]}, {@code k [B, M, H·F]}, {@code v [B, M, H·Fv]} → {@code [B, N, H·Fv]}.
     */
    public static <A> A attend(Backend<A> be, A q, A k, A v, int heads, float[][] mask, Tensor probs) {
        return be.attend(q, k, v, heads, mask, probs);
    }
}
