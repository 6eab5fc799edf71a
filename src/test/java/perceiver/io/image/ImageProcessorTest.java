package perceiver.io.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import perceiver.io.media.MediaException;
import perceiver.io.media.RgbImage;

/**
 * Pillow-bicubic properties and unreadable files; the bit-exact check against golden/golden-hf-train/image-processor
 * (HF v4.27.1 + Pillow 9.4.0) runs with the other golden cases ({@code perceiver.golden.GoldenTest}).
 */
class ImageProcessorTest {
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
