package perceiver.core;

import java.util.List;

import perceiver.nn.SelfAttention;
import perceiver.tensor.Backend;
import perceiver.tensor.Tensor;

/**
 * Process (paper §2): a block of self-attention layers over the latents, applied {@code blocks} times with the
 * SAME weights ({@code [B, N, D] → [B, N, D]}); attention cost is independent of the input and output sizes.
 */
public record LatentProcess(List<SelfAttention> layers, int blocks) {

    public LatentProcess {
        layers = List.copyOf(layers);
    }

    /** Records {@code hidden_states.*} (each layer's input, then each block's output) and {@code attentions.*}. */
    public <A> A process(Backend<A> be, A z, Trace trace) {
        int hidden = 0, att = 0;
        int[] shape = be.shape(z);
        for (int b = 0; b < blocks; b++) {
            for (SelfAttention layer : layers) {
                trace.put("hidden_states." + hidden++, be, z);
                Tensor probs = trace.probabilities("attentions." + att++, shape[0], layer.heads(), shape[1], shape[1]);
                z = layer.forward(be, z, probs);
            }
            trace.put("hidden_states." + hidden++, be, z);
        }
        return z;
    }
}
