package perceiver.io.media;

import perceiver.tensor.Tensor;

/**
 * HF v4.27.1 {@code space_to_depth} (modeling_perceiver.py), used by the 'patches' image preprocessor: blocks of
 * {@code temporalBlock} frames and {@code spatialBlock x spatialBlock} pixels are moved into the channel axis, channels
 * last. Optical flow uses (2, 1) on {@code [batch, 2, 27, H, W]} (golden/README.md point 21), the multimodal video
 * preprocessor (1, 4) on {@code [batch, T, 3, H, W]} (point 22).
 */
public final class SpaceToDepth {
    private SpaceToDepth() {}

    /**
     * 5-D form: {@code [batch, T, C, H, W] -> [batch, T/tb, H/sb, W/sb, tb*sb*sb*C]} with output channel
     * {@code ((t * sb + dy) * sb + dx) * C + c} (HF: view, permute(0, 1, 4, 6, 2, 5, 7, 3), view).
     *
     * @throws IllegalArgumentException unless T is divisible by tb and H, W by sb
     */
    public static Tensor apply(Tensor frames, int temporalBlock, int spatialBlock) {
        if (frames.rank() != 5) throw new IllegalArgumentException("space_to_depth input must be [batch, T, C, H, W], got " + frames);
        int b = frames.dim(0), t = frames.dim(1), c = frames.dim(2), h = frames.dim(3), w = frames.dim(4);
        int tb = temporalBlock, sb = spatialBlock;
        if (tb < 1 || sb < 1 || t % tb != 0 || h % sb != 0 || w % sb != 0) {
            throw new IllegalArgumentException("space_to_depth: " + frames + " is not divisible into temporal blocks of "
                    + tb + " and spatial blocks of " + sb + "x" + sb);
        }
        int to = t / tb, ho = h / sb, wo = w / sb, co = tb * sb * sb * c;
        float[] in = frames.data(), out = new float[frames.size()];
        int off = frames.offset();
        int o = 0;
        for (int n = 0; n < b; n++) {
            for (int tt = 0; tt < to; tt++) {
                for (int y = 0; y < ho; y++) {
                    for (int x = 0; x < wo; x++) {
                        for (int dt = 0; dt < tb; dt++) {
                            for (int dy = 0; dy < sb; dy++) {
                                for (int dx = 0; dx < sb; dx++) {
                                    for (int ch = 0; ch < c; ch++) {
                                        int frame = n * t + tt * tb + dt;
                                        out[o++] = in[off + (((frame * c + ch) * h) + y * sb + dy) * w + x * sb + dx];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return Tensor.of(out, b, to, ho, wo, co);
    }

    /**
     * 4-D form: {@code [batch, C, H, W] -> [batch, H/sb, W/sb, sb*sb*C]}, channel {@code (dy * sb + dx) * C + c}
     * (HF: view, permute(0, 2, 4, 3, 5, 1), view).
     */
    public static Tensor apply(Tensor images, int spatialBlock) {
        if (images.rank() != 4) throw new IllegalArgumentException("space_to_depth input must be [batch, C, H, W], got " + images);
        int[] s = images.shape();
        Tensor out = apply(images.reshape(s[0], 1, s[1], s[2], s[3]), 1, spatialBlock);
        return out.reshape(s[0], out.dim(2), out.dim(3), out.dim(4));
    }
}
