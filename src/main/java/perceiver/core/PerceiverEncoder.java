package perceiver.core;

import perceiver.nn.CrossAttention;
import perceiver.tensor.Backend;
import perceiver.tensor.Tensor;

/**
 * Encode (paper §2, Fig. 1): a learned latent array {@code latents [N, D]} cross-attends to the input array
 * {@code x [B, M, C]}, giving {@code [B, N, D]}. Cost is linear in M.
 */
public record PerceiverEncoder(Tensor latents, CrossAttention crossAttention) {

    /**
     * @param inputs {@code [B, M, C]}
     * @param mask   additive key mask {@code [B][M]} (0 keep, {@code -Float.MAX_VALUE} drop) or null
     */
    public <A> A encode(Backend<A> be, A inputs, float[][] mask, Trace trace) {
        int[] shape = be.shape(inputs);
        int batch = shape[0], n = latents.dim(0);
        Tensor probs = trace.probabilities("cross_attentions.0", batch, crossAttention.heads(), n, shape[1]);
        return crossAttention.forward(be, be.repeat(latents, batch), inputs, mask, probs);
    }

    /** The additive mask of a 1 = keep / 0 = pad attention mask, as HF's {@code invert_attention_mask}. */
    public static float[][] additiveMask(long[] keep, int batch, int m) {
        float[][] mask = new float[batch][m];
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < m; j++) mask[b][j] = (1f - keep[b * m + j]) * -Float.MAX_VALUE;
        }
        return mask;
    }
}
