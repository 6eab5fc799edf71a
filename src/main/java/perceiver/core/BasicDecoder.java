package perceiver.core;

import perceiver.nn.CrossAttention;
import perceiver.nn.Linear;
import perceiver.tensor.Tensor;

/**
 * Decode (paper §2-3): an output query array {@code [B, O, E]} cross-attends to the latents {@code [B, N, D]},
 * then an optional final linear projection: {@code [B, O, E] → [B, O, out]}. Each output row depends on its own
 * query only, so any subset of queries (a chunk) decodes to the same rows. Cost is linear in O.
 */
public record BasicDecoder(CrossAttention crossAttention, Linear finalLayer) {

    public Tensor decode(Tensor queries, Tensor latents, Trace trace) {
        trace.put("decoder.query", queries);
        Tensor probs = trace.probabilities("cross_attentions.1",
                queries.dim(0), crossAttention.heads(), queries.dim(1), latents.dim(1));
        Tensor out = crossAttention.forward(queries, latents, null, probs);
        return finalLayer == null ? out : finalLayer.forward(out);
    }
}
