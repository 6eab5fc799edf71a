package perceiver.io.media;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import perceiver.tensor.Tensor;

/**
 * Videos as frame sequences of image files, values in [0, 1] (DeepMind's multimodal colab loads frames as
 * {@code frames / 255.0}). The multimodal model input is {@code [batch, T, 3, H, W]}; its preprocessor applies
 * {@link SpaceToDepth#apply(Tensor, int, int) SpaceToDepth.apply(video, 1, 4)}.
 */
public final class Video {
    private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif");

    private Video() {}

    /**
     * Reads frames from image files (each converted to RGB, see {@link RgbImage#read}).
     *
     * @return {@code [T, 3, H, W]} in [0, 1], T = files.size()
     * @throws MediaException naming the first file whose size differs from the first frame's, or an unreadable one
     */
    public static Tensor readFrames(List<Path> files) {
        if (files.isEmpty()) throw new MediaException("no frame files given");
        RgbImage first = RgbImage.read(files.get(0));
        int h = first.height(), w = first.width(), per = 3 * h * w;
        float[] out = new float[files.size() * per];
        for (int t = 0; t < files.size(); t++) {
            RgbImage img = t == 0 ? first : RgbImage.read(files.get(t));
            if (img.width() != w || img.height() != h) {
                throw new MediaException(files.get(t) + ": frame is " + img.width() + "x" + img.height() + ", expected "
                        + w + "x" + h + " like " + files.get(0).getFileName());
            }
            System.arraycopy(img.toChw(1, 0).data(), 0, out, t * per, per);
        }
        return Tensor.of(out, files.size(), 3, h, w);
    }

    /**
     * Reads every image file (.png, .jpg, .jpeg, .bmp, .gif) of a directory in file-name order.
     *
     * @return {@code [T, 3, H, W]} in [0, 1]
     */
    public static Tensor readFrameDirectory(Path dir) {
        return readFrames(frameFiles(dir));
    }

    /** The image files of a directory, sorted by name. */
    public static List<Path> frameFiles(Path dir) {
        if (!Files.isDirectory(dir)) throw new MediaException(dir + ": no such frame directory");
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.filter(Files::isRegularFile)
                    .filter(p -> EXTENSIONS.stream().anyMatch(e -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(e)))
                    .sorted().toList();
            if (files.isEmpty()) throw new MediaException(dir + ": no frame images (expected .png, .jpg, .jpeg, .bmp or .gif files)");
            return files;
        } catch (IOException e) {
            throw new MediaException(dir + ": cannot list frames (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Writes frames as PNG files {@code <prefix>0000.png, <prefix>0001.png, ...} (values clamped to [0, 1], rounded
     * to 8 bits).
     *
     * @param frames {@code [T, 3, H, W]} in [0, 1]
     * @return the written files in frame order
     */
    public static List<Path> writeFrames(Tensor frames, Path dir, String prefix) {
        if (frames.rank() != 4 || frames.dim(1) != 3) throw new IllegalArgumentException("frames must be [T, 3, H, W], got " + frames);
        List<Path> out = new ArrayList<>();
        for (int t = 0; t < frames.dim(0); t++) {
            Path f = dir.resolve(String.format(Locale.ROOT, "%s%04d.png", prefix, t));
            RgbImage.fromChw(frames.get(t), 1, 0).writePng(f);
            out.add(f);
        }
        return out;
    }

    /**
     * Peak signal-to-noise ratio {@code 10 log10(peak^2 / mean((a - b)^2))} in dB (mean in double); +Infinity for
     * identical inputs. Use peak 1 for [0, 1] video, 2 for [-1, 1] audio.
     */
    public static double psnr(Tensor a, Tensor b, double peak) {
        if (!a.hasShape(b.shape())) throw new IllegalArgumentException("PSNR of differently shaped " + a + " and " + b);
        if (a.size() == 0) throw new IllegalArgumentException("PSNR of empty tensors");
        double sum = 0;
        for (int i = 0; i < a.size(); i++) {
            double d = (double) a.data()[a.offset() + i] - b.data()[b.offset() + i];
            sum += d * d;
        }
        return 10 * Math.log10(peak * peak / (sum / a.size()));
    }
}
