package perceiver.io.flow;

import perceiver.io.media.SpaceToDepth;
import perceiver.tensor.Tensor;

/**
 * Input construction of HF v4.27.1 {@code PerceiverForOpticalFlow} (golden/README.md point 21): for each pixel the
 * 3x3 neighbourhood of RGB of each of the two frames (HF's test helper {@code extract_image_patches(x, kernel=3)},
 * zero 'SAME' padding of 1, channel {@code (dy*3 + dx)*3 + c} with dy, dx = 0..2 for offsets -1..+1), frames
 * normalised to [-1, 1] ({@link perceiver.io.media.RgbImage#toChw toChw(2, -1)}).
 */
public final class FlowInput {
    /** Channels of one frame's patches: 3x3 neighbourhood x RGB. */
    public static final int PATCH_CHANNELS = 27;

    private FlowInput() {}

    /**
     * 3x3 patch extraction of one frame.
     *
     * @param frame {@code [3, H, W]}
     * @return {@code [27, H, W]}, channel {@code (dy*3 + dx)*3 + c} = frame[c, y + dy - 1, x + dx - 1] (0 outside)
     */
    public static Tensor patches3x3(Tensor frame) {
        if (frame.rank() != 3 || frame.dim(0) != 3) throw new IllegalArgumentException("frame must be [3, H, W], got " + frame);
        int h = frame.dim(1), w = frame.dim(2);
        float[] in = frame.data(), out = new float[PATCH_CHANNELS * h * w];
        int off = frame.offset();
        for (int dy = 0; dy < 3; dy++) {
            for (int dx = 0; dx < 3; dx++) {
                for (int c = 0; c < 3; c++) {
                    int base = ((dy * 3 + dx) * 3 + c) * h * w;
                    for (int y = 0; y < h; y++) {
                        int sy = y + dy - 1;
                        if (sy < 0 || sy >= h) continue;
                        for (int x = 0; x < w; x++) {
                            int sx = x + dx - 1;
                            if (sx >= 0 && sx < w) out[base + y * w + x] = in[off + (c * h + sy) * w + sx];
                        }
                    }
                }
            }
        }
        return Tensor.of(out, PATCH_CHANNELS, h, w);
    }

    /**
     * The model input for a batch of frame pairs.
     *
     * @param framePairs {@code [batch, 2, 3, H, W]} in [-1, 1]
     * @return {@code [batch, 2, 27, H, W]}
     */
    public static Tensor modelInput(Tensor framePairs) {
        if (framePairs.rank() != 5 || framePairs.dim(1) != 2 || framePairs.dim(2) != 3) {
            throw new IllegalArgumentException("frame pairs must be [batch, 2, 3, H, W], got " + framePairs);
        }
        int b = framePairs.dim(0), h = framePairs.dim(3), w = framePairs.dim(4);
        Tensor out = Tensor.zeros(b, 2, PATCH_CHANNELS, h, w);
        for (int n = 0; n < b; n++) {
            for (int f = 0; f < 2; f++) out.get(n).get(f).copyFrom(patches3x3(framePairs.get(n).get(f)));
        }
        return out;
    }

    /**
     * The model input for one pair of frames.
     *
     * @param frame1 {@code [3, H, W]} in [-1, 1]
     * @param frame2 {@code [3, H, W]}, same size
     * @return {@code [1, 2, 27, H, W]}
     */
    public static Tensor modelInput(Tensor frame1, Tensor frame2) {
        if (!frame1.hasShape(frame2.shape())) {
            throw new IllegalArgumentException("the two frames differ in size: " + frame1 + " vs " + frame2);
        }
        if (frame1.rank() != 3 || frame1.dim(0) != 3) throw new IllegalArgumentException("frame must be [3, H, W], got " + frame1);
        Tensor pair = Tensor.zeros(1, 2, 3, frame1.dim(1), frame1.dim(2));
        pair.get(0).get(0).copyFrom(frame1);
        pair.get(0).get(1).copyFrom(frame2);
        return modelInput(pair);
    }

    /**
     * The model's first preprocessing step: {@code space_to_depth(temporal_block=2, spatial_block=1)} squeezed.
     *
     * @param input {@code [batch, 2, 27, H, W]}
     * @return {@code [batch, H, W, 54]}, channel {@code frame*27 + patch channel}
     */
    public static Tensor stackFrames(Tensor input) {
        if (input.rank() != 5 || input.dim(1) != 2) throw new IllegalArgumentException("flow input must be [batch, 2, C, H, W], got " + input);
        Tensor s = SpaceToDepth.apply(input, 2, 1);
        return s.reshape(s.dim(0), s.dim(2), s.dim(3), s.dim(4));
    }
}
