package perceiver.io.flow;

import perceiver.core.Trace;
import perceiver.io.position.FourierFeatures;
import perceiver.nn.Linear;
import perceiver.tensor.Tensor;

/**
 * HF's optical-flow {@code PerceiverImagePreprocessor} (prep_type patches, README 21): the two frames' 3×3 patches
 * stacked to 54 channels per pixel, a linear layer to 64 ({@code conv_after_patches}), then 2-D Fourier features
 * of the pixel grid concatenated. {@code inputs [B, 2, 27, H, W] → [B, H·W, 64 + fourier]}.
 */
public record FlowPreprocessor(Linear afterPatches, FourierFeatures fourier) {

    public int channels() { return afterPatches.out() + fourier.numChannels(); }

    public Tensor forward(Tensor inputs, Trace trace) {
        if (inputs.rank() != 5 || inputs.dim(1) != 2 || inputs.dim(2) != FlowInput.PATCH_CHANNELS) {
            throw new IllegalArgumentException("optical-flow input must be [batch, 2, 27, H, W], got " + inputs);
        }
        int batch = inputs.dim(0), h = inputs.dim(3), w = inputs.dim(4);
        Tensor patches = FlowInput.stackFrames(inputs);
        trace.put("preprocessor.patches", patches);
        Tensor features = afterPatches.forward(patches).reshape(batch, h * w, afterPatches.out());
        trace.putScalar("preprocessor.inputs_without_pos_channels", afterPatches.out());
        Tensor out = fourier.appendTo(features, h, w);
        trace.put("preprocessor.output", out);
        return out;
    }
}
