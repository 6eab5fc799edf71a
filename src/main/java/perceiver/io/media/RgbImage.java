package perceiver.io.media;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;
import perceiver.tensor.Tensor;

/**
 * An 8-bit RGB image, pixels interleaved row-major: {@code rgb[(y * width + x) * 3 + c]}, c = R, G, B (HWC uint8,
 * what {@code np.array(pil_image.convert('RGB'))} gives).
 *
 * @param width  W
 * @param height H
 * @param rgb    {@code [H, W, 3]} unsigned bytes
 */
public record RgbImage(int width, int height, byte[] rgb) {
    public RgbImage {
        if (width < 1 || height < 1) throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        if (rgb.length != 3L * width * height) {
            throw new IllegalArgumentException("rgb must hold " + 3L * width * height + " bytes for " + width + "x" + height
                    + ", got " + rgb.length);
        }
    }

    /** Sample {@code c} (0 = R, 1 = G, 2 = B) of pixel (x, y) as 0..255. */
    public int get(int x, int y, int c) { return rgb[(y * width + x) * 3 + c] & 0xff; }

    /**
     * Reads a PNG, JPEG, BMP or GIF with javax.imageio and converts it to RGB like Pillow's {@code convert('RGB')}:
     * grayscale replicates L into R=G=B (1/2/4-bit gray scaled to 0..255), palette images are looked up, alpha is
     * DROPPED without compositing (RGBA/LA), 16-bit samples keep their high byte (as Pillow's "RGB;16B" unpacker).
     * The raw samples are used, so PNG gamma/ICC chunks are ignored as by Pillow. JPEG decoding is the JDK's, which
     * may differ from libjpeg's by a level or so.
     *
     * @throws MediaException naming the file when it is missing or not a decodable image
     */
    public static RgbImage read(Path file) {
        if (!Files.isRegularFile(file)) throw new MediaException(file + ": no such image file");
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new MediaException(file + ": cannot decode image (" + e.getMessage() + ")", e);
        }
        if (img == null) throw new MediaException(file + ": not a readable image (expected PNG, JPEG, BMP or GIF)");
        return fromBufferedImage(img);
    }

    /** Converts a decoded image to RGB (see {@link #read}). */
    public static RgbImage fromBufferedImage(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        byte[] out = new byte[3 * w * h];
        ColorModel cm = img.getColorModel();
        Raster r = img.getRaster();
        int csType = cm.getColorSpace().getType();
        if (cm instanceof IndexColorModel icm) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int i = r.getSample(x, y, 0), o = (y * w + x) * 3;
                    out[o] = (byte) icm.getRed(i);
                    out[o + 1] = (byte) icm.getGreen(i);
                    out[o + 2] = (byte) icm.getBlue(i);
                }
            }
        } else if (cm instanceof ComponentColorModel && !cm.isAlphaPremultiplied()
                && (csType == ColorSpace.TYPE_GRAY || csType == ColorSpace.TYPE_RGB)) {
            int colours = cm.getNumColorComponents();
            int bits = cm.getComponentSize(0);
            int max = (1 << bits) - 1;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int o = (y * w + x) * 3;
                    for (int c = 0; c < 3; c++) {
                        int v = r.getSample(x, y, colours == 1 ? 0 : c);
                        out[o + c] = (byte) (bits == 8 ? v : bits > 8 ? v >>> (bits - 8) : v * 255 / max);
                    }
                }
            }
        } else {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int argb = img.getRGB(x, y), o = (y * w + x) * 3;
                    out[o] = (byte) (argb >> 16);
                    out[o + 1] = (byte) (argb >> 8);
                    out[o + 2] = (byte) argb;
                }
            }
        }
        return new RgbImage(w, h, out);
    }

    /** Writes the image as an 8-bit RGB PNG (the format is PNG whatever the file name). */
    public void writePng(Path file) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] dst = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int p = 0; p < width * height; p++) {
            dst[3 * p] = rgb[3 * p + 2];
            dst[3 * p + 1] = rgb[3 * p + 1];
            dst[3 * p + 2] = rgb[3 * p];
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            if (!ImageIO.write(img, "png", file.toFile())) throw new IOException("no PNG writer");
        } catch (IOException e) {
            throw new MediaException(file + ": cannot write PNG (" + e.getMessage() + ")", e);
        }
    }

    /** The {@code cropHeight x cropWidth} sub-image whose top-left pixel is (x = left, y = top). */
    public RgbImage crop(int top, int left, int cropHeight, int cropWidth) {
        if (top < 0 || left < 0 || cropHeight < 1 || cropWidth < 1 || top + cropHeight > height || left + cropWidth > width) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "crop [top %d, left %d, %dx%d] outside a %dx%d image",
                    top, left, cropHeight, cropWidth, height, width));
        }
        byte[] out = new byte[3 * cropHeight * cropWidth];
        for (int y = 0; y < cropHeight; y++) {
            System.arraycopy(rgb, ((top + y) * width + left) * 3, out, y * cropWidth * 3, cropWidth * 3);
        }
        return new RgbImage(cropWidth, cropHeight, out);
    }

    /**
     * {@code [3, H, W]} float32 with {@code v = u8 / 255 * scale + shift} computed in double and rounded once:
     * {@code (1, 0)} gives [0, 1] (video, {@code frames / 255.0}), {@code (2, -1)} gives [-1, 1] (DeepMind's optical
     * flow colab, {@code im / 255.0 * 2 - 1}).
     */
    public Tensor toChw(double scale, double shift) {
        int n = width * height;
        float[] lut = new float[256];
        for (int v = 0; v < 256; v++) lut[v] = (float) (v / 255.0 * scale + shift);
        float[] out = new float[3 * n];
        for (int p = 0; p < n; p++) {
            for (int c = 0; c < 3; c++) out[c * n + p] = lut[rgb[3 * p + c] & 0xff];
        }
        return Tensor.of(out, 3, height, width);
    }

    /**
     * Inverse of {@link #toChw}: {@code u8 = round((v - shift) / scale * 255)} clamped to 0..255 (NaN -> 0).
     *
     * @param chw {@code [3, H, W]}
     */
    public static RgbImage fromChw(Tensor chw, double scale, double shift) {
        if (chw.rank() != 3 || chw.dim(0) != 3) throw new IllegalArgumentException("image tensor must be [3, H, W], got " + chw);
        int h = chw.dim(1), w = chw.dim(2), n = h * w;
        byte[] out = new byte[3 * n];
        float[] d = chw.data();
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < n; p++) {
                double v = Math.rint((d[chw.offset() + c * n + p] - shift) / scale * 255.0);
                out[3 * p + c] = (byte) (v > 255 ? 255 : v > 0 ? (int) v : 0);
            }
        }
        return new RgbImage(w, h, out);
    }
}
