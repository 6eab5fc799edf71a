package perceiver.nn;

import perceiver.tensor.Backend;
import perceiver.tensor.Tensor;

/**
 * Cross-attention (Eq. 4-6) from a query array onto a separate key/value array, each with its own LayerNorm:
 * the encoder's latents onto the inputs, and a decoder's output queries onto the latents.
 */
public record CrossAttention(AttentionLayer layer) {

    public CrossAttention(LayerNorm queryNorm, LayerNorm kvNorm, Attention attention, boolean queryResidual,
                          LayerNorm mlpNorm, Mlp mlp) {
        this(new AttentionLayer(queryNorm, kvNorm, attention, queryResidual, mlpNorm, mlp));
    }

    /**
     * @param queries {@code [B, N, Cq]}
     * @param inputs  {@code [B, M, Ckv]}
     * @param mask    additive key mask {@code [B][M]} or null
     * @param probs   {@code [B, heads, N, M]} destination for attention probabilities, or null
     * @return {@code [B, N, Cq]}
     */
    public <A> A forward(Backend<A> be, A queries, A inputs, float[][] mask, Tensor probs) {
        return layer.forward(be, queries, inputs, mask, probs);
    }

    /**
     * The key/value side of {@code inputs [B, M, Ckv]} for {@code queries} query rows in all (per batch element), for
     * {@link #forward(Backend, Object, Attention.Memory, Tensor)}.
     */
    public <A> Attention.Memory<A> memory(Backend<A> be, A inputs, long queries) {
        return layer.memory(be, inputs, queries);
    }

    /** {@link #forward(Backend, Object, Object, float[][], Tensor)} onto a key/value side formed once (no mask). */
    public <A> A forward(Backend<A> be, A queries, Attention.Memory<A> inputs, Tensor probs) {
        return layer.forward(be, queries, inputs, probs);
    }

    /** {@code p(forward(queries, inputs, null))} with {@code p} moved into the layer ({@link AttentionLayer#project}). */
    public <A> A forwardProjected(Backend<A> be, A queries, Attention.Memory<A> inputs, AttentionLayer.Projected p) {
        return layer.forwardProjected(be, queries, inputs, p);
    }

    public int heads() { return layer.attention().heads(); }
}
