package perceiver.core;

import perceiver.tensor.Tensor;

/**
 * The Perceiver IO trunk without modality-specific parts: encode (latents cross-attend to the inputs), process
 * (latent self-attention stack), ready for a decoder. {@code inputs [B, M, C] → latents [B, N, D]}.
 */
public record Perceiver(PerceiverEncoder encoder, LatentProcess process) {

    /** Records {@code last_hidden_state} and everything the encoder and process record. */
    public Tensor encode(Tensor inputs, float[][] mask, Trace trace) {
        Tensor z = process.process(encoder.encode(inputs, mask, trace), trace);
        trace.put("last_hidden_state", z);
        return z;
    }
}
