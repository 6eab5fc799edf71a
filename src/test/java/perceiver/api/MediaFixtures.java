package perceiver.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import perceiver.io.audio.AudioClip;
import perceiver.io.audio.Wav;
import perceiver.io.media.RgbImage;

/** Small media files for the API and command-line tests, generated into a test's temporary directory. */
public final class MediaFixtures {
    /** The committed frame pair (64x80, frame 2 = frame 1 shifted by (+2, +1)), see testdata/media/make_media.py. */
    public static final Path FRAME1 = Path.of("testdata/media/frame1.png");
    public static final Path FRAME2 = Path.of("testdata/media/frame2.png");
    public static final Path RGB_IMAGE = Path.of("testdata/media/image-rgb-300x200.png");
    public static final Path GRAY_IMAGE = Path.of("testdata/media/image-gray-120x90.png");

    private MediaFixtures() {}

    /** Writes the {@code height x width} crop of {@code src} at (top, left) as a PNG. */
    public static Path crop(Path src, int top, int left, int height, int width, Path dst) {
        RgbImage.read(src).crop(top, left, height, width).writePng(dst);
        return dst;
    }

    /** Writes a {@code width x height} RGB pattern that differs with {@code seed}. */
    public static Path pattern(Path dst, int width, int height, int seed) {
        byte[] rgb = new byte[3 * width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int o = 3 * (y * width + x);
                rgb[o] = (byte) (x * 255 / Math.max(1, width - 1));
                rgb[o + 1] = (byte) (y * 255 / Math.max(1, height - 1));
                rgb[o + 2] = (byte) (37 * seed + 11 * x * y);
            }
        }
        new RgbImage(width, height, rgb).writePng(dst);
        return dst;
    }

    /** {@code count} patterned frames {@code dir/f0.png, f1.png, ...}. */
    public static List<Path> frames(Path dir, int count, int width, int height) {
        List<Path> out = new ArrayList<>();
        for (int t = 0; t < count; t++) out.add(pattern(dir.resolve(String.format(Locale.ROOT, "f%d.png", t)), width, height, t));
        return out;
    }

    /** {@code samples} samples of a sine at amplitude 0.5. */
    public static AudioClip sine(int samples, int rate) {
        float[] s = new float[samples];
        for (int i = 0; i < samples; i++) s[i] = (float) (0.5 * Math.sin(0.7 * i));
        return new AudioClip(s, rate);
    }

    /** A 16-bit mono WAV of {@link #sine}. */
    public static Path wav(Path dst, int samples, int rate) {
        Wav.write16(dst, sine(samples, rate));
        return dst;
    }
}
