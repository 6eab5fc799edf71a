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

    /**
     * {@code conv1x1} features (256) + trainable positions {@code [H·W, 256]} through a linear projection. The
     * projected positions do not depend on the input, so {@link #of} projects them once, at load; each forward pass
     * then only concatenates them (bitwise what projecting per pass gives).
     */
    record Conv1x1(Linear pointwise, Tensor projectedPositions) implements ImagePreprocessor {
        /** @param weight {@code [256, 3, 1, 1]}; @param positions {@code [H·W, 256]} before the projection */
        public static Conv1x1 of(Tensor weight, Tensor bias, Tensor positions, Linear projection) {
            if (weight.rank() != 4 || weight.dim(2) != 1 || weight.dim(3) != 1) {
                throw new IllegalArgumentException("conv1x1 weight must be [Cout, Cin, 1, 1], got " + weight);
            }
            return new Conv1x1(Linear.of(weight.reshape(weight.dim(0), weight.dim(1)), bias),
                    projection.forward(positions));
        }

        public int channels() { return pointwise.out() + projectedPositions.dim(1); }

        /** A 1×1 convolution is a linear layer on each pixel's channels: run it on the tokens, not on NCHW. */
        public Tensor forward(Tensor pixels, Trace trace) {
            Tensor tokens = pointwise.forward(ConvOps.toTokens(checkPixels(pixels)));
            int learned = projectedPositions.dim(0);
            if (tokens.dim(1) != learned) {
                throw new IllegalArgumentException("image of " + pixels.dim(2) + "x" + pixels.dim(3) + " has " + tokens.dim(1)
                        + " pixels; this model's learned positions cover " + learned + " (" + side(learned)
                        + " pixels a side)");
            }
            return withPositions(tokens, projectedPositions, trace);
        }
    }

    /** Raw pixels (3 channels) + 2-D Fourier features of the pixel grid. */
    record Pixels(FourierFeatures fourier) implements ImagePreprocessor {
        public int channels() { return 3 + fourier.numChannels(); }

        public Tensor forward(Tensor pixels, Trace trace) {
            Tensor tokens = ConvOps.toTokens(checkPixels(pixels));
            return traced(tokens, fourier.appendTo(tokens, pixels.dim(2), pixels.dim(3)), trace);
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
            Tensor tokens = ConvOps.toTokens(x);
            return traced(tokens, fourier.appendTo(tokens, x.dim(2), x.dim(3)), trace);
        }
    }

    private static Tensor withPositions(Tensor tokens, Tensor positions, Trace trace) {
        int batch = tokens.dim(0);
        Tensor perImage = batch == 1 ? positions.reshape(1, positions.dim(0), positions.dim(1)) : positions.repeat(batch);
        return traced(tokens, Tensor.concatLast(tokens, perImage), trace);
    }

    private static Tensor traced(Tensor tokens, Tensor out, Trace trace) {
        trace.putScalar("preprocessor.inputs_without_pos_channels", tokens.dim(-1));
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
