package perceiver.io.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static perceiver.io.TensorAsserts.assertClose;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import perceiver.checkpoint.Checkpoints;
import perceiver.checkpoint.TensorStore;
import perceiver.tensor.Tensor;

class VideoTest {
    @Test
    void spaceToDepthMatchesMultimodalGolden() {
        try (TensorStore g = Checkpoints.open(Path.of("golden/multimodal-autoencoding/io.safetensors"))) {
            Tensor video = g.floats("inputs.image"); // [2, 2, 3, 8, 8]
            Tensor s = SpaceToDepth.apply(video, 1, 4);
            assertArrayEquals(new int[] {2, 2, 2, 2, 48}, s.shape());
            assertClose(g.floats("preprocessor.inputs_without_pos.image"), s.reshape(2, 8, 48), 0,
                    "multimodal inputs_without_pos.image (space_to_depth 4x4)");
            // 4-D form equals the 5-D form with T = 1
            Tensor frame = video.get(0).copy(); // [2, 3, 8, 8] seen as a batch of 2 images
            assertArrayEquals(SpaceToDepth.apply(frame, 4).toArray(), s.get(0).toArray());
            assertThrows(IllegalArgumentException.class, () -> SpaceToDepth.apply(Tensor.zeros(1, 1, 3, 6, 8), 1, 4));
        }
    }

    @Test
    void framesRoundTripThroughPngs(@TempDir Path tmp) throws Exception {
        Tensor frames = Tensor.zeros(3, 3, 5, 7);
        for (int i = 0; i < frames.size(); i++) frames.data()[i] = (i * 17 % 256) / 255f;
        List<Path> files = Video.writeFrames(frames, tmp.resolve("out"), "f");
        assertEquals("f0002.png", files.get(2).getFileName().toString());
        Files.writeString(tmp.resolve("out/notes.txt"), "ignored");
        Tensor back = Video.readFrameDirectory(tmp.resolve("out"));
        assertClose(frames, back, 1e-7, "frames written and read back");
        assertEquals(Double.POSITIVE_INFINITY, Video.psnr(frames, back, 1));

        RgbImage other = new RgbImage(4, 5, new byte[60]);
        other.writePng(tmp.resolve("odd.png"));
        MediaException e = assertThrows(MediaException.class,
                () -> Video.readFrames(List.of(files.get(0), tmp.resolve("odd.png"))));
        assertTrue(e.getMessage().contains("odd.png") && e.getMessage().contains("4x5") && e.getMessage().contains("7x5"),
                e.getMessage());
        assertThrows(MediaException.class, () -> Video.readFrameDirectory(tmp.resolve("nothing")));
    }

    @Test
    void psnr() {
        Tensor a = Tensor.of(new float[] {0, 0, 0, 0}, 4);
        Tensor b = Tensor.of(new float[] {0.1f, -0.1f, 0.1f, -0.1f}, 4);
        assertEquals(20.0, Video.psnr(a, b, 1), 1e-5);
    }
}
