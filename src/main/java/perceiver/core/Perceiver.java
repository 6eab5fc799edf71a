package perceiver.core;

import perceiver.tensor.Backend;

/**
 * The Perceiver IO trunk without modality-specific parts: encode (latents cross-attend to the inputs), process
 * (latent self-attention stack), ready for a decoder. {@code inputs [B, M, C] → latents [B, N, D]}.
 */
public record Perceiver(PerceiverEncoder encoder, LatentProcess process) {

    /** Records {@code last_hidden_state} and everything the encoder and process record. */
    public <A> A encode(Backend<A> be, A inputs, float[][] mask, Trace trace) {
        A z = process.process(be, encoder.encode(be, inputs, mask, trace), trace);
        trace.put("last_hidden_state", be, z);
        return z;
    }
}
