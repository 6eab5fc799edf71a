package perceiver.nn;

import perceiver.tensor.Elementwise;
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
    public Tensor forward(Tensor x, Tensor kv, float[][] mask, Tensor probs) {
        Tensor xq = queryNorm.forward(x);
        Tensor xkv = kv == null ? xq : kvNorm.forward(kv);
        Tensor h = attention.forward(xq, xkv, mask, probs);
        if (queryResidual) Elementwise.addInPlace(h.data(), h.offset(), x.data(), x.offset(), h.size());
        Tensor m = mlp.forward(mlpNorm.forward(h));
        Elementwise.addInPlace(m.data(), m.offset(), h.data(), h.offset(), m.size());
        return m;
    }
}
