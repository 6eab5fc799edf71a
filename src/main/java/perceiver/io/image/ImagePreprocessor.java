package perceiver.io.image;

import perceiver.core.Trace;
import perceiver.io.position.FourierFeatures;
import perceiver.nn.Linear;
import perceiver.tensor.Tensor;

/**
 * HF's {@code PerceiverImagePreprocessor} for ImageNet classification (paper §4.2): features per pixel (or per
 * conv-stem output position), channels last, then a position encoding concatenated after them (README 18-20).
 * {@code pixels [B, 3, H, W] → [B, M, C]}.
 */
public sealed interface ImagePreprocessor {

    /** Channels of the output array. */
    int channels();

    /** Records {@code preprocessor.output} (and the conv stem's intermediates). */
    Tensor forward(Tensor pixels, Trace trace);

    /** {@code conv1x1} features (256) + trainable positions {@code [H·W, 256]} through a linear projection. */
    record Conv1x1(Tensor weight, Tensor bias, Tensor positions, Linear projection) implements ImagePreprocessor {
        public int channels() { return weight.dim(0) + projection.out(); }

        public Tensor forward(Tensor pixels, Trace trace) {
            Tensor tokens = ConvOps.toTokens(ConvOps.conv1x1(checkPixels(pixels), weight, bias));
            if (tokens.dim(1) != positions.dim(0)) {
                throw new IllegalArgumentException("image of " + pixels.dim(2) + "x" + pixels.dim(3) + " has " + tokens.dim(1)
                        + " pixels; this model's learned positions cover " + positions.dim(0) + " (" + side(positions.dim(0))
                        + " pixels a side)");
            }
            return withPositions(tokens, projection.forward(positions), trace);
        }
    }

    /** Raw pixels (3 channels) + 2-D Fourier features of the pixel grid. */
    record Pixels(FourierFeatures fourier) implements ImagePreprocessor {
        public int channels() { return 3 + fourier.numChannels(); }

        public Tensor forward(Tensor pixels, Trace trace) {
            Tensor tokens = ConvOps.toTokens(checkPixels(pixels));
            return withPositions(tokens, fourier.encode(pixels.dim(2), pixels.dim(3)), trace);
        }
    }

    /**
     * Conv stem: 7×7 stride-2 conv (padding 3, no bias), BatchNorm (running statistics), ReLU, 3×3 stride-2
     * max-pool; then 2-D Fourier features of the pooled grid.
     */
    record ConvStem(Tensor convWeight, Tensor bnWeight, Tensor bnBias, Tensor bnMean, Tensor bnVar,
                    FourierFeatures fourier) implements ImagePreprocessor {
        public int channels() { return convWeight.dim(0) + fourier.numChannels(); }

        public Tensor forward(Tensor pixels, Trace trace) {
            Tensor x = ConvOps.conv2dSamePadding(checkPixels(pixels), convWeight, null, 2);
            trace.put("preprocessor.convnet.conv.output", x);
            x = ConvOps.batchNormEval(x, bnWeight, bnBias, bnMean, bnVar, 1e-5f);
            trace.put("preprocessor.convnet.batchnorm.output", x);
            x = ConvOps.maxPool2d(ConvOps.relu(x), 3, 2);
            trace.put("preprocessor.convnet.output", x);
            return withPositions(ConvOps.toTokens(x), fourier.encode(x.dim(2), x.dim(3)), trace);
        }
    }

    private static Tensor withPositions(Tensor tokens, Tensor positions, Trace trace) {
        trace.putScalar("preprocessor.inputs_without_pos_channels", tokens.dim(-1));
        Tensor out = Tensor.concatLast(tokens, positions.repeat(tokens.dim(0)));
        trace.put("preprocessor.output", out);
        return out;
    }

    private static Tensor checkPixels(Tensor pixels) {
        if (pixels.rank() != 4 || pixels.dim(1) != 3) {
            throw new IllegalArgumentException("pixels must be [batch, 3, H, W] (NCHW), got " + pixels);
        }
        return pixels;
    }

    private static String side(int n) {
        int s = (int) Math.round(Math.sqrt(n));
        return s * s == n ? String.valueOf(s) : "a non-square count of";
    }
}
