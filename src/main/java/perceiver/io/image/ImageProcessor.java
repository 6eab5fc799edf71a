package perceiver.io.image;

import java.nio.file.Path;
import java.util.List;
import perceiver.io.media.RgbImage;
import perceiver.tensor.Tensor;

/**
 * HF v4.27.1 {@code PerceiverImageProcessor()} with its defaults (the ImageNet pipeline of the vision Perceivers),
 * bit-exact with Pillow 9.4 (golden/golden-hf-train/image-processor/case.md):
 * <ol>
 * <li>centre crop to a square of side {@code int(224/256 * min(H, W))} at {@code top = (H - s)//2},
 * {@code left = (W - s)//2};</li>
 * <li>Pillow BICUBIC resize to 224x224 on the uint8 image ({@link PillowBicubic});</li>
 * <li>{@code x = float32(u8 * (1/255))} (product in double);</li>
 * <li>{@code (x - mean) / std} in float32 with ImageNet mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225);</li>
 * <li>HWC -> CHW.</li>
 * </ol>
 * Unlike HF v4.27.1 (which raises), grayscale and RGBA inputs are accepted: {@link RgbImage#read} converts them like
 * Pillow's {@code convert('RGB')} (L replicated, alpha dropped without compositing).
 */
public final class ImageProcessor {
    /** Output side (HF {@code size} 224x224). */
    public static final int SIZE = 224;
    /** HF {@code crop_size} 256: the crop side is SIZE/CROP_SIZE of the shorter side. */
    public static final int CROP_SIZE = 256;
    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    private ImageProcessor() {}

    /**
     * The centre-crop box of an {@code height x width} image.
     *
     * @return {@code {top, left, side, side}}, side = {@code (int)(224.0/256.0 * min(height, width))}
     */
    public static int[] centerCropBox(int height, int width) {
        int side = (int) ((double) SIZE / CROP_SIZE * Math.min(height, width));
        if (side < 1) throw new IllegalArgumentException("image " + width + "x" + height + " is too small to crop");
        return new int[] {(height - side) / 2, (width - side) / 2, side, side};
    }

    /** Step 1: the centre crop. */
    public static RgbImage centerCrop(RgbImage image) {
        int[] box = centerCropBox(image.height(), image.width());
        return image.crop(box[0], box[1], box[2], box[3]);
    }

    /**
     * Steps 3-5 on an already cropped and resized image.
     *
     * @return pixel values {@code [3, H, W]} float32, channel-first
     */
    public static Tensor normalize(RgbImage image) {
        int n = image.width() * image.height();
        float[][] lut = new float[3][256];
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) lut[c][v] = ((float) (v * (1 / 255.0)) - MEAN[c]) / STD[c];
        }
        float[] out = new float[3 * n];
        byte[] rgb = image.rgb();
        for (int p = 0; p < n; p++) {
            for (int c = 0; c < 3; c++) out[c * n + p] = lut[c][rgb[3 * p + c] & 0xff];
        }
        return Tensor.of(out, 3, image.height(), image.width());
    }

    /**
     * The whole pipeline for one image.
     *
     * @return pixel values {@code [3, 224, 224]} NCHW without the batch axis
     */
    public static Tensor preprocess(RgbImage image) {
        return normalize(PillowBicubic.resize(centerCrop(image), SIZE, SIZE));
    }

    /**
     * Reads and preprocesses image files (PNG/JPEG/BMP/GIF, any of RGB, RGBA, L, LA, palette).
     *
     * @return {@code pixel_values [batch, 3, 224, 224]} in file order
     * @throws perceiver.io.media.MediaException naming an unreadable file
     */
    public static Tensor preprocess(List<Path> files) {
        if (files.isEmpty()) throw new IllegalArgumentException("no image files given");
        int per = 3 * SIZE * SIZE;
        float[] out = new float[files.size() * per];
        for (int i = 0; i < files.size(); i++) {
            Tensor t = preprocess(RgbImage.read(files.get(i)));
            System.arraycopy(t.data(), t.offset(), out, i * per, per);
        }
        return Tensor.of(out, files.size(), 3, SIZE, SIZE);
    }
}
