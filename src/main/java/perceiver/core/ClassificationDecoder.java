package perceiver.core;

import perceiver.tensor.Backend;
import perceiver.tensor.Tensor;

/**
 * Classification decoding (paper §4.1, HF {@code PerceiverClassificationDecoder}): a single learned query
 * {@code [1, D]} cross-attends to the latents (query residual on) and is projected to the class logits:
 * {@code latents [B, N, D] → logits [B, classes]}.
 */
public record ClassificationDecoder(Tensor query, BasicDecoder decoder) {

    public <A> Tensor decode(Backend<A> be, A latents, Trace trace) {
        Tensor out = decoder.decode(be, query.repeat(be.shape(latents)[0]), latents, trace);
        Tensor logits = out.reshape(out.dim(0), out.dim(2));
        trace.put("decoder.output", logits);
        return logits;
    }
}
