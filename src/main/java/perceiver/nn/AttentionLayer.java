package perceiver.nn;

import perceiver.tensor.Backend;
import perceiver.tensor.Tensor;

/**
 * The attention module, the paper's Eq. 4-6 (HF {@code PerceiverLayer}), pre-LayerNorm:
 * <pre>
 *   X_QKV = Attn(LN(X_Q), LN(X_KV))          (4)
 *   X_QKV = X_QKV + X_Q     (if queryResidual) (5)
 *   X_QKV = X_QKV + MLP(LN(X_QKV))           (6)
 * </pre>
 * In self-attention {@code X_KV = X_Q} and one LayerNorm serves both ({@code kvNorm} is null).
 * {@link CrossAttention} and {@link SelfAttention} are the two uses.
 */
public record AttentionLayer(LayerNorm queryNorm, LayerNorm kvNorm, Attention attention, boolean queryResidual,
                             LayerNorm mlpNorm, Mlp mlp) {

    /**
     * {@code x [B, N, Cq]}, {@code kv [B, M, Ckv]} (null: self-attention) → {@code [B, N, Cq]}. Cross-attention
     * without probabilities forms the keys and values of {@code kv} a block of rows at a time
     * ({@link Attention#forwardStreaming}).
     */
    public <A> A forward(Backend<A> be, A x, A kv, float[][] mask, Tensor probs) {
        try (Backend.Scope scope = be.scope()) { // a device backend frees this layer's intermediates at the end
            A xq = queryNorm.forward(be, x);
            A h;
            if (kv == null) {
                h = attention.forward(be, xq, xq, mask, probs);
            } else if (probs == null) {
                h = attention.forwardStreaming(be, xq, kv, block -> kvNorm.forward(be, block), mask);
            } else {
                h = attention.forward(be, xq, kvNorm.forward(be, kv), mask, probs);
            }
            return scope.keep(withMlp(be, withResidual(be, x, h)));
        }
    }

    /**
     * The key/value side of a cross-attention's key/value array {@code kv [B, M, Ckv]}, for {@code queries} query
     * rows (per batch element) to attend to ({@link Attention#memory}).
     */
    public <A> Attention.Memory<A> memory(Backend<A> be, A kv, long queries) {
        return attention.memory(be, kvNorm.forward(be, kv), queries);
    }

    /** Cross-attention of {@code x [B, N, Cq]} onto a key/value side formed by {@link #memory}. */
    public <A> A forward(Backend<A> be, A x, Attention.Memory<A> kv, Tensor probs) {
        try (Backend.Scope scope = be.scope()) {
            A h = attention.forward(be, queryNorm.forward(be, x), kv, null, probs);
            return scope.keep(withMlp(be, withResidual(be, x, h)));
        }
    }

    /**
     * A linear layer {@code P [C → F]} applied to this layer's output, with its product moved into the MLP's last
     * layer: {@code P(h + W_2 g + b_2) = P_W h + (P_W W_2) g + P(b_2)}, where {@code h} is Eq. 4-5's result and
     * {@code g = GELU(W_1 LN(h) + b_1)} the MLP's hidden layer ({@code [.., H]}). Exact up to rounding.
     *
     * @param onResidual {@code P_W} without bias, {@code [C → F]}
     * @param onHidden   {@code P_W W_2} with bias {@code P(b_2)}, {@code [H → F]}
     */
    public record Projected(Linear onResidual, Linear onHidden) {}

    /**
     * {@code p} moved into this layer ({@link Projected}) where that costs fewer multiply-adds per row than
     * applying it after the layer ({@code F·C + F·H} against {@code C·H + F·C}: when {@code F < C}), else null.
     */
    public Projected project(Linear p) {
        Linear dense2 = mlp.dense2();
        if (p.out() >= dense2.out()) return null;
        return new Projected(new Linear(p.weightT(), null), dense2.then(p));
    }

    /** {@code p(forward(x, kv))} with {@code p} moved into the MLP ({@link #project}). */
    public <A> A forwardProjected(Backend<A> be, A x, Attention.Memory<A> kv, Projected p) {
        try (Backend.Scope scope = be.scope()) {
            A h = withResidual(be, x, attention.forward(be, queryNorm.forward(be, x), kv, null, null));
            A g = mlp.hidden(be, mlpNorm.forward(be, h));
            return scope.keep(be.add(p.onResidual().forward(be, h), p.onHidden().forward(be, g)));
        }
    }

    /** Eq. 5. */
    private <A> A withResidual(Backend<A> be, A x, A h) {
        return queryResidual ? be.add(h, x) : h;
    }

    /** Eq. 6. */
    private <A> A withMlp(Backend<A> be, A h) {
        return be.add(mlp.forward(be, mlpNorm.forward(be, h)), h);
    }
}
