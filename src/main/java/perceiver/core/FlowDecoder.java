package perceiver.core;

import perceiver.tensor.Backend;
import perceiver.tensor.Tensor;

/**
 * Optical-flow decoding (paper §4.3, HF {@code PerceiverOpticalFlowDecoder}): the queries are the preprocessed
 * inputs themselves (one per pixel), the basic decoder projects each to 2 channels, and the result is divided by
 * the rescale factor and laid out as an image: {@code queries [B, H·W, C] → flow [B, H, W, 2]}.
 */
public record FlowDecoder(BasicDecoder decoder, float rescaleFactor) {

    public <A> Tensor decode(Backend<A> be, Tensor queries, A latents, int height, int width, Trace trace) {
        Tensor out = decoder.decode(be, queries, latents, trace);
        trace.put("decoder.basic_decoder.output", out);
        Tensor flow = Tensor.zeros(out.dim(0), height, width, out.dim(2));
        float[] f = flow.data(), o = out.data();
        for (int i = 0; i < f.length; i++) f[i] = o[out.offset() + i] / rescaleFactor;
        trace.put("decoder.output", flow);
        return flow;
    }
}
