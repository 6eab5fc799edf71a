package perceiver.core;

import java.util.ArrayList;
import java.util.List;

import perceiver.nn.Attention;
import perceiver.nn.AttentionLayer;
import perceiver.nn.CrossAttention;
import perceiver.nn.Linear;
import perceiver.tensor.Backend;
import perceiver.tensor.Tensor;

/**
 * Decode (paper §2-3): an output query array {@code [B, O, E]} cross-attends to the latents {@code [B, N, D]},
 * then an optional final linear projection: {@code [B, O, E] → [B, O, out]}. Each output row depends on its own
 * query only, so untraced queries are decoded in chunks of {@link #CHUNK_ROWS} rows (bounded memory for very large
 * O) against the latents' keys and values formed once: bit for bit the same result for any O and any split. Cost is
 * linear in O. Queries come from and outputs go to the host.
 *
 * @param projected the final layer moved into the cross-attention's MLP, used by untraced calls where that is
 *                  cheaper ({@link AttentionLayer#project}), else null; made by the two-argument constructor
 */
public record BasicDecoder(CrossAttention crossAttention, Linear finalLayer, AttentionLayer.Projected projected) {

    public BasicDecoder(CrossAttention crossAttention, Linear finalLayer) {
        this(crossAttention, finalLayer, finalLayer == null ? null : crossAttention.layer().project(finalLayer));
    }

    /** Query rows decoded at once when no trace is recorded (a traced call decodes all at once). */
    public static final int CHUNK_ROWS = 4096;

    public <A> Tensor decode(Backend<A> be, Tensor queries, A latents, Trace trace) {
        trace.put("decoder.query", queries);
        int batch = queries.dim(0), o = queries.dim(1);
        if (trace.on()) {
            Tensor probs = trace.probabilities("cross_attentions.1", batch, crossAttention.heads(), o,
                    be.shape(latents)[1]);
            try (Backend.Scope scope = be.scope()) {
                return project(be, crossAttention.forward(be, be.upload(queries), latents, null, probs));
            }
        }
        return decode(be, queries, memory(be, latents, o));
    }

    /**
     * The latents' keys and values, one pair per batch element: formed once, they serve every query chunk decoded
     * against the same latents (here, or across calls of {@link #decode(Backend, Tensor, List)}); {@code queries}:
     * the query rows per batch element they will serve in all (their form depends on it).
     */
    public <A> List<Attention.Memory<A>> memory(Backend<A> be, A latents, long queries) {
        int batch = be.shape(latents)[0];
        List<Attention.Memory<A>> kv = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            A z = batch == 1 ? latents : be.upload(be.download(latents).rows(b, b + 1));
            kv.add(crossAttention.memory(be, z, queries));
        }
        return kv;
    }

    /**
     * A linear layer applied to the decoder's output (a postprocessor's), with the final layer and it moved into
     * the cross-attention's MLP as one projection where that is cheaper ({@code projected}, else null).
     */
    public record Head(Linear head, AttentionLayer.Projected projected) {}

    /** {@code head} after this decoder, prepared once for {@link #decode(Backend, Tensor, List, Head)}. */
    public Head head(Linear head) {
        return new Head(head, crossAttention.layer().project(finalLayer == null ? head : finalLayer.then(head)));
    }

    /** Untraced decoding against {@link #memory}, {@link #CHUNK_ROWS} query rows at a time. */
    public <A> Tensor decode(Backend<A> be, Tensor queries, List<Attention.Memory<A>> memory) {
        return decode(be, queries, memory, projected, null);
    }

    /** As {@link #decode(Backend, Tensor, List)}, followed by {@code head}: {@code [B, O, E] → [B, O, head.out]}. */
    public <A> Tensor decode(Backend<A> be, Tensor queries, List<Attention.Memory<A>> memory, Head head) {
        return decode(be, queries, memory, head.projected(), head.head());
    }

    /** With {@code moved} (the last layers moved into the MLP) if not null, else Eq. 4-6, the final layer, {@code after}. */
    private <A> Tensor decode(Backend<A> be, Tensor queries, List<Attention.Memory<A>> memory,
                              AttentionLayer.Projected moved, Linear after) {
        int batch = queries.dim(0), o = queries.dim(1);
        if (memory.size() != batch) {
            throw new IllegalArgumentException("keys and values of " + memory.size()
                    + " latent arrays for a batch of " + batch + " query arrays");
        }
        Tensor out = Tensor.zeros(batch, o, outputChannels(moved, after)); // O = 0 (a modality without points): empty
        for (int b = 0; b < batch; b++) {
            for (int from = 0; from < o; from += CHUNK_ROWS) {
                int to = Math.min(o, from + CHUNK_ROWS);
                Tensor rows = queries.get(b).rows(from, to).reshape(1, to - from, queries.dim(2));
                Tensor part;
                try (Backend.Scope scope = be.scope()) {
                    A x = be.upload(rows);
                    Attention.Memory<A> kv = memory.get(b);
                    if (moved != null) {
                        part = be.download(crossAttention.forwardProjected(be, x, kv, moved));
                    } else {
                        part = project(be, crossAttention.forward(be, x, kv, null));
                        if (after != null) part = after.forward(part);
                    }
                }
                out.get(b).rows(from, to).copyFrom(part.get(0));
            }
        }
        return out;
    }

    /** Channels of an output row: of the moved projection, else of {@code after}, the final layer or the layer. */
    private int outputChannels(AttentionLayer.Projected moved, Linear after) {
        if (moved != null) return moved.onResidual().out();
        if (after != null) return after.out();
        return finalLayer != null ? finalLayer.out() : crossAttention.layer().attention().output().out();
    }

    /** The final projection, and the result on the host. */
    private <A> Tensor project(Backend<A> be, A decoded) {
        return be.download(finalLayer == null ? decoded : finalLayer.forward(be, decoded));
    }
}
