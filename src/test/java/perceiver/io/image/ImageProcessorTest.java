package perceiver.io.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static perceiver.io.TensorAsserts.assertClose;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import perceiver.io.media.MediaException;
import perceiver.io.media.RgbImage;
import perceiver.checkpoint.Checkpoints;
import perceiver.checkpoint.TensorStore;
import perceiver.tensor.Tensor;

/** Bit-exact golden test against golden/golden-hf-train/image-processor (HF v4.27.1 + Pillow 9.4.0). */
class ImageProcessorTest {
    private static final Path DIR = Path.of("golden/golden-hf-train/image-processor");
    private static final String[] FILES = {"image0-rgb-320x240.png", "image1-rgb-200x300.png", "image2-l-291x350.png",
            "image3-rgba-360x300.png"};

    private static Tensor hwc(RgbImage img) {
        float[] out = new float[img.rgb().length];
        for (int i = 0; i < out.length; i++) out[i] = img.rgb()[i] & 0xff;
        return Tensor.of(out, img.height(), img.width(), 3);
    }

    @Test
    void bitExactAgainstPillowAndHf() {
        try (TensorStore g = Checkpoints.open(Path.of("golden/golden-hf-train/image-processor/io.safetensors"))) {
            List<Path> files = new ArrayList<>();
            for (int i = 0; i < FILES.length; i++) {
                Path f = DIR.resolve(FILES[i]);
                files.add(f);
                RgbImage img = RgbImage.read(f);
                int[] box = ImageProcessor.centerCropBox(img.height(), img.width());
                long[] gb = g.longs("image" + i + ".crop_box");
                assertArrayEquals(gb, new long[] {box[0], box[1], box[2], box[3]}, "crop box of " + FILES[i]);
                RgbImage cropped = ImageProcessor.centerCrop(img);
                assertClose(g.floats("image" + i + ".cropped"), hwc(cropped), 0, "image" + i + ".cropped (" + FILES[i] + ")");
                RgbImage resized = PillowBicubic.resize(cropped, 224, 224);
                assertClose(g.floats("image" + i + ".resized"), hwc(resized), 0, "image" + i + ".resized (Pillow bicubic)");
            }
            assertClose(g.floats("pixel_values"), ImageProcessor.preprocess(files), 0, "image-processor pixel_values");
        }
    }

    @Test
    void identityAndUpDownSizes() {
        byte[] px = new byte[3 * 5 * 4];
        for (int i = 0; i < px.length; i++) px[i] = (byte) (i * 37);
        RgbImage img = new RgbImage(5, 4, px);
        assertArrayEquals(px, PillowBicubic.resize(img, 5, 4).rgb());
        RgbImage up = PillowBicubic.resize(img, 13, 2);
        assertEquals(13, up.width());
        assertEquals(2, up.height());
        // a constant image stays constant (weights sum to one in fixed point)
        byte[] flat = new byte[3 * 31 * 17];
        java.util.Arrays.fill(flat, (byte) 200);
        for (byte b : PillowBicubic.resize(new RgbImage(31, 17, flat), 9, 40).rgb()) assertEquals(200, b & 0xff);
    }

    @Test
    void unreadableFilesNameTheFile(@TempDir Path tmp) throws Exception {
        Path bad = tmp.resolve("not-an-image.png");
        Files.writeString(bad, "hello");
        MediaException e = assertThrows(MediaException.class, () -> ImageProcessor.preprocess(List.of(bad)));
        assertTrue(e.getMessage().contains("not-an-image.png"), e.getMessage());
        Path missing = tmp.resolve("missing.jpg");
        e = assertThrows(MediaException.class, () -> RgbImage.read(missing));
        assertTrue(e.getMessage().contains("missing.jpg"), e.getMessage());
    }
}
