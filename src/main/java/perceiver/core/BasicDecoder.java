package perceiver.core;

import perceiver.nn.CrossAttention;
import perceiver.nn.Linear;
import perceiver.tensor.Backend;
import perceiver.tensor.Tensor;

/**
 * Decode (paper §2-3): an output query array {@code [B, O, E]} cross-attends to the latents {@code [B, N, D]},
 * then an optional final linear projection: {@code [B, O, E] → [B, O, out]}. Each output row depends on its own
 * query only, so queries are decoded in chunks of {@link #CHUNK_ROWS} rows (bounded memory for very large O) with
 * the same result as all at once. Cost is linear in O. Queries come from and outputs go to the host.
 */
public record BasicDecoder(CrossAttention crossAttention, Linear finalLayer) {
    /** Query rows decoded at once when no trace is recorded. */
    public static final int CHUNK_ROWS = 4096;

    public <A> Tensor decode(Backend<A> be, Tensor queries, A latents, Trace trace) {
        trace.put("decoder.query", queries);
        int batch = queries.dim(0), o = queries.dim(1);
        if (trace.on() || o <= CHUNK_ROWS) return decodeRows(be, queries, latents, trace);
        Tensor out = null;
        for (int b = 0; b < batch; b++) {
            A z = batch == 1 ? latents : be.upload(be.download(latents).rows(b, b + 1));
            for (int from = 0; from < o; from += CHUNK_ROWS) {
                int to = Math.min(o, from + CHUNK_ROWS);
                Tensor part = decodeRows(be, queries.get(b).rows(from, to).reshape(1, to - from, queries.dim(2)), z, trace);
                if (out == null) out = Tensor.zeros(batch, o, part.dim(2));
                out.get(b).rows(from, to).copyFrom(part.get(0));
            }
        }
        return out;
    }

    private <A> Tensor decodeRows(Backend<A> be, Tensor queries, A latents, Trace trace) {
        int n = be.shape(latents)[1];
        Tensor probs = trace.probabilities("cross_attentions.1", queries.dim(0), crossAttention.heads(), queries.dim(1), n);
        try (Backend.Scope scope = be.scope()) {
            A out = crossAttention.forward(be, be.upload(queries), latents, null, probs);
            return be.download(finalLayer == null ? out : finalLayer.forward(be, out));
        }
    }
}
