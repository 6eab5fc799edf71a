package perceiver.nn;

import java.util.function.UnaryOperator;

import perceiver.tensor.Backend;
import perceiver.tensor.KeyValues;
import perceiver.tensor.PackedMatrix;
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
 *
 * @param keyOnQueries with one head, {@code W_K} applied to the queries instead of the keys (see
 *                     {@link #forwardStreaming}), else null; made by the five-argument constructor
 */
public record Attention(Linear query, Linear key, Linear value, Linear output, int heads, Linear keyOnQueries) {

    public Attention(Linear query, Linear key, Linear value, Linear output, int heads) {
        this(query, key, value, output, heads, heads == 1 ? keyOnQueries(key) : null);
    }

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
        return forward(be, xq, keysValues(be, xkv), mask, probs);
    }

    /** Eq. 1's keys and values of a (layer-normalised) key/value array {@code [B, M, Ckv]}. */
    public <A> KeyValues<A> keysValues(Backend<A> be, A xkv) {
        return new KeyValues<>(key.forward(be, xkv), value.forward(be, xkv));
    }

    /** Eq. 1-3 with the keys and values already formed ({@link #keysValues}), e.g. once for many query arrays. */
    public <A> A forward(Backend<A> be, A xq, KeyValues<A> kv, float[][] mask, Tensor probs) {
        A q = query.forward(be, xq);
        return output.forward(be, attend(be, q, kv.keys(), kv.values(), heads, mask, probs));
    }

    /**
     * Eq. 1-3 over a long key/value array {@code inputs [B, M, Ckv]} whose keys and values are formed a block of
     * rows at a time, {@code f_K(normalise(block))} and {@code f_V(normalise(block))}, and streamed into the
     * attention ({@link Backend#attendBlocks}): the encoder's memory stays that of its inputs.
     *
     * <p>With one head, where it is cheaper (an encoder: M much larger than N), the key and value projections move
     * to the other side of the products, and the M input rows are never projected. With {@code X} the normalised
     * inputs, {@code f_K(X) = X W_Kᵀ + b_K} and {@code f_V(X) = X W_Vᵀ + b_V}:
     * <pre>
     *   Q f_K(X)ᵀ = (Q W_K) Xᵀ + (Q b_K) 1ᵀ     the last term is constant along each softmax row: it drops out
     *   P f_V(X)  = (P X) W_Vᵀ + b_V            each row of P sums to 1
     * </pre>
     * so Eq. 2-3 become {@code f_O(f_V(softmax((Q W_K) Xᵀ / √F) X))}, equal up to float rounding.
     */
    public <A> A forwardStreaming(Backend<A> be, A xq, A inputs, UnaryOperator<A> normalise, float[][] mask) {
        A q = query.forward(be, xq);
        if (keyOnQueries != null && projectsQueriesCheaper(be.shape(q)[1], be.shape(inputs)[1])) {
            A ctx = be.attendBlocks(keyOnQueries.forward(be, q), inputs, block -> {
                A x = normalise.apply(block);
                return new KeyValues<>(x, x);
            }, 1, mask);
            return output.forward(be, value.forward(be, ctx));
        }
        return output.forward(be, be.attendBlocks(q, inputs, block -> keysValues(be, normalise.apply(block)),
                heads, mask));
    }

    /** Multiply-adds of the moved projections against the usual ones, for N queries and M inputs (one head). */
    boolean projectsQueriesCheaper(long n, long m) {
        long c = key.in(), f = key.out(), fv = value.out();
        long usual = m * c * (f + fv) + n * m * (f + fv);
        long moved = n * f * c + 2 * n * m * c + n * c * fv;
        return moved < usual;
    }

    /**
     * {@code W_K} as a linear layer on the queries, {@code [N, F] → [N, Ckv]}, scaled by {@code √(Ckv / F)} when
     * {@code Ckv ≠ F}, since the attention then divides by {@code √Ckv} instead of {@code √F}.
     */
    private static Linear keyOnQueries(Linear key) {
        int c = key.in(), f = key.out();
        float[] wkT = key.weightT().toRowMajor(); // W_Kᵀ [Ckv, F]
        if (c != f) {
            float scale = (float) Math.sqrt((double) c / f);
            for (int i = 0; i < wkT.length; i++) wkT[i] *= scale;
        }
        return new Linear(PackedMatrix.pack(f, c, wkT, 0, f, true), null);
    }

    /**
     * Eq. 2-3 without projections: {@code softmax(q_h k_hᵀ / √F + mask) v_h} per batch element and head.
     * {@code q [B, N, H·F]}, {@code k [B, M, H·F]}, {@code v [B, M, H·Fv]} → {@code [B, N, H·Fv]}.
     */
    public static <A> A attend(Backend<A> be, A q, A k, A v, int heads, float[][] mask, Tensor probs) {
        return be.attend(q, k, v, heads, mask, probs);
    }
}
