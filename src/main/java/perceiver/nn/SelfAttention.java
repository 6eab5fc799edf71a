package perceiver.nn;

import perceiver.tensor.Backend;
import perceiver.tensor.Tensor;

/** Self-attention (Eq. 4-6 with {@code X_KV = X_Q}, one LayerNorm, residual always on, never masked). */
public record SelfAttention(AttentionLayer layer) {

    public SelfAttention(LayerNorm norm, Attention attention, LayerNorm mlpNorm, Mlp mlp) {
        this(new AttentionLayer(norm, null, attention, true, mlpNorm, mlp));
    }

    /** {@code x [B, N, C] → [B, N, C]}; {@code probs [B, heads, N, N]} or null. */
    public <A> A forward(Backend<A> be, A x, Tensor probs) {
        return layer.forward(be, x, null, null, probs);
    }

    public int heads() { return layer.attention().heads(); }
}
