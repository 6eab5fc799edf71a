package perceiver.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static perceiver.io.TensorAsserts.assertClose;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import perceiver.core.Trace;
import perceiver.io.Progress;
import perceiver.io.audio.AudioClip;
import perceiver.io.flow.FlowTiling;
import perceiver.io.image.ImageProcessor;
import perceiver.io.media.MediaException;
import perceiver.io.media.RgbImage;
import perceiver.io.media.Video;
import perceiver.models.Inputs;
import perceiver.models.MultimodalAutoencoder;
import perceiver.models.OpticalFlow;
import perceiver.tensor.LongTensor;
import perceiver.tensor.Tensor;

/**
 * The media methods of {@link PerceiverIO} on the golden model directories (random weights: outputs are meaningless,
 * so these tests check invariants: equality with the raw forward pass, chunk and tile consistency, probabilities).
 */
class PerceiverIOMediaTest {
    private static PerceiverIO flowModel;
    private static PerceiverIO multimodal;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        flowModel = PerceiverIO.load(Path.of("golden/optical-flow"));
        multimodal = PerceiverIO.load(Path.of("golden/multimodal-autoencoding"));
    }

    @Test
    void classifyImagesOneByOneEqualsTheBatchedForwardPass() {
        PerceiverIO m = PerceiverIO.load(Path.of("golden/image-conv"));
        List<Path> images = List.of(MediaFixtures.RGB_IMAGE, MediaFixtures.GRAY_IMAGE);
        int labels = m.config().numLabels();
        List<List<PerceiverIO.Prediction>> all = m.classifyImages(images, labels);
        Tensor logits = m.forward(new Inputs().put("inputs", ImageProcessor.preprocess(images))).get("logits");
        for (int i = 0; i < images.size(); i++) {
            List<PerceiverIO.Prediction> p = all.get(i);
            assertEquals(labels, p.size());
            double sum = 0;
            for (int k = 0; k < p.size(); k++) {
                sum += p.get(k).probability();
                if (k > 0) assertTrue(p.get(k - 1).probability() >= p.get(k).probability(), "sorted, most probable first");
                assertEquals(m.config().id2label().get(p.get(k).index()), p.get(k).label());
            }
            assertEquals(1, sum, 1e-9);
            List<PerceiverIO.Prediction> batched = m.topK(logits.get(i).toArray(), labels);
            for (int k = 0; k < labels; k++) {
                assertEquals(batched.get(k).index(), p.get(k).index());
                assertEquals(batched.get(k).probability(), p.get(k).probability(), 1e-6);
            }
        }
        assertEquals(all.get(1).subList(0, 2), m.classifyImages(List.of(MediaFixtures.GRAY_IMAGE), 2).get(0));
    }

    @Test
    void learnedPositionModelRejectsImagesOfAnotherSize() {
        PerceiverIO m = PerceiverIO.load(Path.of("golden/image-learned"));
        var e = assertThrows(IllegalArgumentException.class, () -> m.classifyImages(List.of(MediaFixtures.RGB_IMAGE), 3));
        assertTrue(e.getMessage().contains("golden/image-learned") && e.getMessage().contains("16x16")
                && e.getMessage().contains("224x224"), e.getMessage());
        var wrongModel = assertThrows(IllegalStateException.class, () -> flowModel.classifyImages(List.of(MediaFixtures.RGB_IMAGE), 3));
        assertTrue(wrongModel.getMessage().contains("not an image classifier"), wrongModel.getMessage());
    }

    @Test
    void flowOfFramesOfTheTrainingSizeIsTheForwardPass() {
        OpticalFlow f = (OpticalFlow) flowModel.task();
        Path a = MediaFixtures.crop(MediaFixtures.FRAME1, 30, 20, f.trainHeight(), f.trainWidth(), tmp.resolve("a.png"));
        Path b = MediaFixtures.crop(MediaFixtures.FRAME2, 30, 20, f.trainHeight(), f.trainWidth(), tmp.resolve("b.png"));
        List<int[]> calls = new ArrayList<>();
        Tensor flow = flowModel.opticalFlow(a, b, (done, total) -> calls.add(new int[] {done, total}));
        Tensor direct = forward(f, RgbImage.read(a), RgbImage.read(b));
        assertClose(direct.get(0), flow, 1e-6, "one-tile flow vs forward");
        assertEquals(1, calls.size());
        assertArrayEquals(new int[] {1, 1}, calls.get(0));
    }

    /** Each pixel of the blended flow is a weighted mean of the tiles covering it: within their range. */
    @Test
    void blendedFlowOfLargerFramesLiesWithinItsTiles() {
        OpticalFlow f = (OpticalFlow) flowModel.task();
        int th = f.trainHeight(), tw = f.trainWidth();
        List<int[]> calls = new ArrayList<>();
        Tensor flow = flowModel.opticalFlow(MediaFixtures.FRAME1, MediaFixtures.FRAME2, (done, total) -> calls.add(new int[] {done, total}));
        RgbImage f1 = RgbImage.read(MediaFixtures.FRAME1), f2 = RgbImage.read(MediaFixtures.FRAME2);
        int h = f1.height(), w = f1.width();
        assertArrayEquals(new int[] {h, w, 2}, flow.shape());
        List<FlowTiling.Tile> tiles = FlowTiling.tiles(h, w, th, tw, FlowTiling.minOverlap(th, tw));
        assertTrue(tiles.size() > 4, "several tiles: " + tiles.size());
        assertArrayEquals(new int[] {tiles.size(), tiles.size()}, calls.get(calls.size() - 1));
        float[] lo = new float[h * w * 2], hi = new float[h * w * 2];
        java.util.Arrays.fill(lo, Float.POSITIVE_INFINITY);
        java.util.Arrays.fill(hi, Float.NEGATIVE_INFINITY);
        for (FlowTiling.Tile t : tiles) {
            Tensor tile = forward(f, f1.crop(t.y(), t.x(), th, tw), f2.crop(t.y(), t.x(), th, tw)).get(0);
            for (int y = 0; y < th; y++) for (int x = 0; x < tw; x++) for (int c = 0; c < 2; c++) {
                int i = ((t.y() + y) * w + t.x() + x) * 2 + c;
                lo[i] = Math.min(lo[i], tile.at(y, x, c));
                hi[i] = Math.max(hi[i], tile.at(y, x, c));
            }
        }
        for (int i = 0; i < lo.length; i++) {
            float v = flow.data()[i];
            assertTrue(Float.isFinite(v), "finite flow");
            assertTrue(v >= lo[i] - 1e-6 && v <= hi[i] + 1e-6, "pixel " + i / 2 + ": " + v + " outside [" + lo[i] + ", " + hi[i] + "]");
        }
        // the corner pixels lie in one tile only: exactly that tile's flow
        Tensor corner = forward(f, f1.crop(0, 0, th, tw), f2.crop(0, 0, th, tw)).get(0);
        assertEquals(corner.at(0, 0, 0), flow.at(0, 0, 0), 1e-6);
        assertEquals(corner.at(0, 0, 1), flow.at(0, 0, 1), 1e-6);
    }

    @Test
    void flowErrorsNameTheFileAndTheSizes() {
        Path small = MediaFixtures.crop(MediaFixtures.FRAME1, 0, 0, 8, 8, tmp.resolve("small.png"));
        var e = assertThrows(MediaException.class, () -> flowModel.opticalFlow(small, small, Progress.NONE));
        assertTrue(e.getMessage().contains("small.png") && e.getMessage().contains("8x8") && e.getMessage().contains("16x12"),
                e.getMessage());
        var d = assertThrows(MediaException.class, () -> flowModel.opticalFlow(MediaFixtures.FRAME1, MediaFixtures.GRAY_IMAGE, Progress.NONE));
        assertTrue(d.getMessage().startsWith(MediaFixtures.GRAY_IMAGE.toString()) && d.getMessage().contains("120x90")
                && d.getMessage().contains("64x80"), d.getMessage());
    }

    @Test
    void autoencodeInChunksEqualsTheFullForwardPass() {
        MultimodalAutoencoder m = (MultimodalAutoencoder) multimodal.task();
        int[] g = m.videoGrid();
        Tensor video = Video.readFrames(MediaFixtures.frames(tmp, g[0], g[2], g[1]));
        int samples = m.config().numFrames() * m.config().audioSamplesPerFrame();
        AudioClip audio = MediaFixtures.sine(samples, 48000);
        Map<String, Tensor> full = m.forward(new Inputs().put("inputs.audio", Tensor.of(audio.samples().clone(), 1, samples, 1))
                .put("inputs.image", video.reshape(1, g[0], 3, g[1], g[2]))
                .put("inputs.label", Tensor.zeros(1, m.config().numLabels())), Trace.OFF);
        PerceiverIO.Autoencoding first = null;
        for (int chunks : new int[] {1, 3, 128}) {
            List<int[]> calls = new ArrayList<>();
            PerceiverIO.Autoencoding r = multimodal.autoencode(video, audio, chunks, (done, total) -> calls.add(new int[] {done, total}));
            int expectedChunks = Math.min(chunks, m.audioPatches());
            assertEquals(expectedChunks, calls.size());
            assertArrayEquals(new int[] {expectedChunks, expectedChunks}, calls.get(calls.size() - 1));
            assertArrayEquals(video.shape(), r.video().shape());
            assertClose(full.get("logits.audio").get(0), Tensor.of(r.audio().samples(), samples), 1e-5, "audio, " + chunks + " chunk(s)");
            assertEquals(audio.sampleRate(), r.audio().sampleRate());
            Tensor image = full.get("logits.image").get(0); // [T·H·W, 3], point (t, y, x) row-major
            for (int t = 0; t < g[0]; t++) for (int y = 0; y < g[1]; y++) for (int x = 0; x < g[2]; x++) for (int c = 0; c < 3; c++) {
                assertEquals(image.at((t * g[1] + y) * g[2] + x, c), r.video().at(t, c, y, x), 1e-5);
            }
            assertEquals(Video.psnr(r.video(), video, 1), r.videoPsnr(), 1e-12);
            assertTrue(Double.isFinite(r.videoPsnr()) && Double.isFinite(r.audioPsnr()));
            assertEquals(m.config().numLabels(), r.labels().size());
            assertEquals(1, r.labels().stream().mapToDouble(PerceiverIO.Prediction::probability).sum(), 1e-9);
            List<PerceiverIO.Prediction> expected = multimodal.topK(full.get("logits.label").get(0).toArray(), m.config().numLabels());
            assertEquals(expected.get(0).index(), r.labels().get(0).index());
            assertEquals(expected.get(0).probability(), r.labels().get(0).probability(), 1e-6);
            if (first == null) first = r;
            else assertClose(first.video(), r.video(), 1e-5, "video independent of the chunking (to rounding)");
        }
    }

    @Test
    void aModalityWithoutPointsDecodesToNoRows() {
        MultimodalAutoencoder m = (MultimodalAutoencoder) multimodal.task();
        int[] g = m.videoGrid();
        int samples = m.config().numFrames() * m.config().audioSamplesPerFrame();
        Inputs in = new Inputs().put("inputs.audio", Tensor.of(MediaFixtures.sine(samples, 48000).samples().clone(), 1, samples, 1))
                .put("inputs.image", Video.readFrames(MediaFixtures.frames(tmp, g[0], g[2], g[1])).reshape(1, g[0], 3, g[1], g[2]))
                .put("inputs.label", Tensor.zeros(1, m.config().numLabels()));
        Map<String, Tensor> full = m.forward(in, Trace.OFF);
        long[] points = {1, 5, 6};
        in.put("subsampled_output_points.audio", new LongTensor(new long[0], new int[] {0}))
                .put("subsampled_output_points.image", new LongTensor(points, new int[] {points.length}));
        for (Trace trace : new Trace[] {Trace.OFF, Trace.recording()}) {
            Map<String, Tensor> out = m.forward(in, trace);
            assertArrayEquals(new int[] {1, 0}, out.get("logits.audio").shape(), "no audio points, no audio rows");
            assertArrayEquals(new int[] {1, points.length, 3}, out.get("logits.image").shape());
            for (int i = 0; i < points.length; i++) {
                assertClose(full.get("logits.image").get(0).rows((int) points[i], (int) points[i] + 1),
                        out.get("logits.image").get(0).rows(i, i + 1), 1e-5, "image point " + points[i]);
            }
            assertClose(full.get("logits.label"), out.get("logits.label"), 1e-5, "label");
        }
    }

    @Test
    void autoencodeErrorsNameExpectedAndActual() {
        MultimodalAutoencoder m = (MultimodalAutoencoder) multimodal.task();
        int[] g = m.videoGrid();
        int samples = m.config().numFrames() * m.config().audioSamplesPerFrame();
        List<Path> frames = MediaFixtures.frames(tmp, g[0], g[2], g[1]);
        Path wav = MediaFixtures.wav(tmp.resolve("a.wav"), samples, 48000);
        assertTrue(multimodal.autoencode(frames, wav, 48000, 2, Progress.NONE).videoPsnr() > 0);

        var rate = assertThrows(MediaException.class, () -> multimodal.autoencode(frames, wav, 16000, 2, Progress.NONE));
        assertTrue(rate.getMessage().contains("a.wav") && rate.getMessage().contains("48000") && rate.getMessage().contains("16000"),
                rate.getMessage());
        Path longer = MediaFixtures.wav(tmp.resolve("long.wav"), samples + 3, 48000);
        var count = assertThrows(MediaException.class, () -> multimodal.autoencode(frames, longer, 48000, 2, Progress.NONE));
        assertTrue(count.getMessage().contains("long.wav") && count.getMessage().contains((samples + 3) + " samples")
                && count.getMessage().contains("exactly " + samples), count.getMessage());
        var few = assertThrows(MediaException.class, () -> multimodal.autoencode(frames.subList(0, 1), wav, 48000, 2, Progress.NONE));
        assertTrue(few.getMessage().contains("1 frame(s)") && few.getMessage().contains(g[0] + " frame(s)"), few.getMessage());
        List<Path> big = MediaFixtures.frames(tmp.resolve("big"), g[0], 2 * g[2], 2 * g[1]);
        var size = assertThrows(MediaException.class, () -> multimodal.autoencode(big, wav, 48000, 2, Progress.NONE));
        assertTrue(size.getMessage().contains((2 * g[2]) + "x" + (2 * g[1])) && size.getMessage().contains(g[2] + "x" + g[1]),
                size.getMessage());
        assertThrows(IllegalArgumentException.class, () -> multimodal.autoencode(frames, wav, 48000, 0, Progress.NONE));
        assertThrows(IllegalStateException.class, () -> flowModel.autoencode(frames, wav, 48000, 2, Progress.NONE));
    }

    /** The model's forward pass on one frame pair of exactly the training size: {@code [1, H, W, 2]}. */
    private static Tensor forward(OpticalFlow f, RgbImage a, RgbImage b) {
        return f.forward(new Inputs().put("inputs", OpticalFlow.input(a.toChw(2, -1), b.toChw(2, -1))), Trace.OFF).get("logits");
    }
}
