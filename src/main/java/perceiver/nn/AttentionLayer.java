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

    /** {@code x [B, N, Cq]}, {@code kv [B, M, Ckv]} (null: self-attention) → {@code [B, N, Cq]}. */
    public <A> A forward(Backend<A> be, A x, A kv, float[][] mask, Tensor probs) {
        try (Backend.Scope scope = be.scope()) { // a device backend frees this layer's intermediates at the end
            A xq = queryNorm.forward(be, x);
            A xkv = kv == null ? xq : kvNorm.forward(be, kv);
            A h = attention.forward(be, xq, xkv, mask, probs);
            if (queryResidual) h = be.add(h, x);
            return scope.keep(be.add(mlp.forward(be, mlpNorm.forward(be, h)), h));
        }
    }
}
