package perceiver.io.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import perceiver.io.audio.AudioClip;
import perceiver.io.audio.Wav;
import perceiver.io.flow.FloFile;
import perceiver.io.flow.FlowInput;
import perceiver.io.image.ImageProcessor;
import perceiver.tensor.Tensor;

/** The committed media of testdata/media (made by make_media.py) have the properties later CLI tests rely on. */
class TestMediaTest {
    private static final Path DIR = Path.of("testdata/media");

    @Test
    void framePairIsAShiftByTwoAndOne() {
        RgbImage f1 = RgbImage.read(DIR.resolve("frame1.png")), f2 = RgbImage.read(DIR.resolve("frame2.png"));
        assertEquals(64, f1.width());
        assertEquals(80, f1.height());
        for (int y = 1; y < 80; y++) {
            for (int x = 2; x < 64; x++) {
                for (int c = 0; c < 3; c++) assertEquals(f1.get(x - 2, y - 1, c), f2.get(x, y, c), "frame2(x, y) = frame1(x-2, y-1)");
            }
        }
        Tensor flow = FloFile.read(DIR.resolve("frames-flow.flo"));
        assertArrayEquals(new int[] {80, 64, 2}, flow.shape());
        assertEquals(2f, flow.at(79, 63, 0));
        assertEquals(1f, flow.at(79, 63, 1));
        Tensor video = Video.readFrames(List.of(DIR.resolve("frame1.png"), DIR.resolve("frame2.png")));
        assertArrayEquals(new int[] {2, 3, 80, 64}, video.shape());
        Tensor input = FlowInput.modelInput(f1.toChw(2, -1), f2.toChw(2, -1));
        assertArrayEquals(new int[] {1, 2, 27, 80, 64}, input.shape());
    }

    @Test
    void imagesAndAudio() {
        RgbImage rgb = RgbImage.read(DIR.resolve("image-rgb-300x200.png"));
        assertEquals(300, rgb.width());
        assertEquals(200, rgb.height());
        RgbImage gray = RgbImage.read(DIR.resolve("image-gray-120x90.png"));
        assertEquals(120, gray.width());
        for (int i = 0; i < gray.rgb().length; i += 3) {
            assertTrue(gray.rgb()[i] == gray.rgb()[i + 1] && gray.rgb()[i] == gray.rgb()[i + 2], "gray replicated to RGB");
        }
        Tensor px = ImageProcessor.preprocess(List.of(DIR.resolve("image-rgb-300x200.png"), DIR.resolve("image-gray-120x90.png")));
        assertArrayEquals(new int[] {2, 3, 224, 224}, px.shape());

        AudioClip clip = Wav.read(DIR.resolve("sine-440hz.wav"));
        assertEquals(16000, clip.sampleRate());
        assertEquals(8000, clip.samples().length);
        float max = 0;
        for (float s : clip.samples()) max = Math.max(max, Math.abs(s));
        assertEquals(0.5, max, 1e-3);
    }
}
