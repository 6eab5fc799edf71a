package perceiver.io.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static perceiver.io.TensorAsserts.assertClose;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import perceiver.io.Progress;
import perceiver.io.media.MediaException;
import perceiver.io.media.RgbImage;
import perceiver.checkpoint.Checkpoints;
import perceiver.checkpoint.TensorStore;
import perceiver.tensor.Tensor;

class FlowTest {
    @Test
    void patchesAndStackingMatchGolden() {
        try (TensorStore g = Checkpoints.open(Path.of("golden/optical-flow/io.safetensors"))) {
            Tensor input = FlowInput.modelInput(g.floats("aux.frames"));
            assertClose(g.floats("inputs"), input, 0, "optical-flow inputs from aux.frames (3x3 patches)");
            assertClose(g.floats("preprocessor.patches"), FlowInput.stackFrames(g.floats("inputs")), 0, "optical-flow preprocessor.patches");
            Tensor frames = g.floats("aux.frames");
            Tensor one = FlowInput.modelInput(frames.get(1).get(0), frames.get(1).get(1));
            assertClose(g.floats("inputs").get(1), one.get(0), 0, "optical-flow inputs, single pair");
        }
    }

    @Test
    void tilesCoverWithOverlapAndFlushBorder() {
        int th = 368, tw = 496;
        for (int[] hw : new int[][] {{368, 496}, {369, 497}, {436, 1024}, {720, 1280}, {710, 500}, {1000, 500}}) {
            List<FlowTiling.Tile> tiles = FlowTiling.tiles(hw[0], hw[1], th, tw, 20);
            int[] cover = new int[hw[0] * hw[1]];
            int maxY = 0, maxX = 0;
            for (FlowTiling.Tile t : tiles) {
                assertTrue(t.y() >= 0 && t.x() >= 0 && t.y() + th <= hw[0] && t.x() + tw <= hw[1], t.toString());
                maxY = Math.max(maxY, t.y());
                maxX = Math.max(maxX, t.x());
                for (int y = t.y(); y < t.y() + th; y++) for (int x = t.x(); x < t.x() + tw; x++) cover[y * hw[1] + x]++;
            }
            assertEquals(hw[0] - th, maxY, "last tile flush with the bottom");
            assertEquals(hw[1] - tw, maxX, "last tile flush with the right border");
            for (int c : cover) assertTrue(c >= 1, "every pixel covered");
            // neighbouring tile rows/columns overlap by at least 20 pixels
            List<Integer> ys = tiles.stream().map(FlowTiling.Tile::y).distinct().sorted().toList();
            for (int i = 1; i < ys.size(); i++) assertTrue(ys.get(i - 1) + th - ys.get(i) >= 20);
        }
        assertEquals(1, FlowTiling.tiles(368, 496, 368, 496, 20).size());
        // DeepMind's grid: range(0, 1024, 476) = [0, 476, 952] with the last moved flush to 528
        assertEquals(List.of(new FlowTiling.Tile(0, 0), new FlowTiling.Tile(0, 476), new FlowTiling.Tile(0, 528)),
                FlowTiling.tiles(368, 1024, 368, 496, 20));
        // where DeepMind's grid would put a tile past the border (710: [0, 348, 696] -> [0, 348, 342]) ours stays inside
        assertEquals(List.of(new FlowTiling.Tile(0, 0), new FlowTiling.Tile(342, 0)), FlowTiling.tiles(710, 496, 368, 496, 20));
    }

    @Test
    void weightsArePositivePyramids() {
        Tensor w = FlowTiling.weights(5, 7);
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1}, w.get(0).toArray());
        assertArrayEquals(new float[] {1, 2, 3, 3, 3, 2, 1}, w.get(2).toArray());
        for (float v : w.toArray()) assertTrue(v > 0);
    }

    @Test
    void smallerFramesGiveAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FlowTiling.tiles(300, 600, 368, 496, 20));
        assertTrue(e.getMessage().contains("300x600") && e.getMessage().contains("368x496"), e.getMessage());
    }

    @Test
    void blendReproducesAConsistentField() {
        int h = 40, w = 57, th = 24, tw = 30;
        Random rnd = new Random(5);
        Tensor f1 = random(rnd, 3, h, w), f2 = random(rnd, 3, h, w);
        // a "model" that outputs the centre red of frame 1 and centre green of frame 2: tile-local views of a global field
        Tensor flow = FlowTiling.flow(f1, f2, th, tw, 2, in -> {
            int n = in.dim(0);
            Tensor out = Tensor.zeros(n, th, tw, 2);
            for (int i = 0; i < n; i++) for (int y = 0; y < th; y++) for (int x = 0; x < tw; x++) {
                out.set(in.at(i, 0, 12, y, x), i, y, x, 0);
                out.set(in.at(i, 1, 13, y, x), i, y, x, 1);
            }
            return out;
        }, Progress.NONE);
        Tensor expected = Tensor.zeros(h, w, 2);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) {
            expected.set(f1.at(0, y, x), y, x, 0);
            expected.set(f2.at(1, y, x), y, x, 1);
        }
        assertClose(expected, flow, 1e-6, "tiled flow of a consistent field");
        // a constant field blends to itself
        List<FlowTiling.Tile> tiles = FlowTiling.tiles(h, w, th, tw, 20);
        List<Tensor> fields = new ArrayList<>();
        for (int i = 0; i < tiles.size(); i++) {
            Tensor c = Tensor.zeros(th, tw, 2);
            for (int p = 0; p < c.size(); p += 2) { c.data()[p] = 1.5f; c.data()[p + 1] = -0.25f; }
            fields.add(c);
        }
        Tensor b = FlowTiling.blend(h, w, tiles, fields);
        for (int p = 0; p < b.size(); p += 2) {
            assertEquals(1.5f, b.data()[p]);
            assertEquals(-0.25f, b.data()[p + 1]);
        }
    }

    @Test
    void floRoundTripAndBadFiles(@TempDir Path tmp) throws Exception {
        Tensor flow = random(new Random(1), 7, 9, 2);
        Path f = tmp.resolve("a.flo");
        FloFile.write(f, flow);
        assertEquals(12 + 7 * 9 * 8, Files.size(f));
        byte[] b = Files.readAllBytes(f);
        assertEquals("PIEH", new String(b, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(9, b[4]);
        assertEquals(7, b[8]);
        assertArrayEquals(flow.toArray(), FloFile.read(f).toArray());
        assertArrayEquals(new int[] {7, 9, 2}, FloFile.read(f).shape());

        Path truncated = tmp.resolve("t.flo");
        Files.write(truncated, java.util.Arrays.copyOf(b, b.length - 4));
        MediaException e = assertThrows(MediaException.class, () -> FloFile.read(truncated));
        assertTrue(e.getMessage().contains("t.flo") && e.getMessage().contains("9x7"), e.getMessage());
        Path notFlo = tmp.resolve("n.flo");
        Files.writeString(notFlo, "hello world, not a flow");
        e = assertThrows(MediaException.class, () -> FloFile.read(notFlo));
        assertTrue(e.getMessage().contains("n.flo") && e.getMessage().contains("202021.25"), e.getMessage());
        assertThrows(MediaException.class, () -> FloFile.read(tmp.resolve("missing.flo")));
    }

    @Test
    void colourWheel(@TempDir Path tmp) {
        assertEquals(55, FlowColor.colorWheel().length);
        Tensor flow = Tensor.of(new float[] {0, 0, 2, 0, 0, 2, -2, 0, 0, -2, 1, 0, Float.NaN, 0, 2e9f, 0}, 1, 8, 2);
        RgbImage img = FlowColor.toImage(flow);
        int[][] px = new int[8][];
        for (int x = 0; x < 8; x++) px[x] = new int[] {img.get(x, 0, 0), img.get(x, 0, 1), img.get(x, 0, 2)};
        assertArrayEquals(new int[] {255, 255, 255}, px[0], "zero flow is white");
        assertArrayEquals(new int[] {255, 0, 0}, px[1], "rightward flow is red");
        assertTrue(px[2][0] == 255 && px[2][1] > 200 && px[2][2] == 0, "downward flow is yellow-orange");
        assertTrue(px[3][0] == 0 && px[3][2] == 255 && px[3][1] > 150, "leftward flow is cyan-blue");
        assertTrue(px[4][2] == 255 && px[4][1] == 0, "upward flow is blue-violet");
        assertArrayEquals(new int[] {255, 127, 127}, px[5], "half magnitude is half saturated");
        assertArrayEquals(new int[] {0, 0, 0}, px[6], "NaN is black");
        assertArrayEquals(new int[] {0, 0, 0}, px[7], "unknown flow is black");
        Path png = tmp.resolve("flow.png");
        FlowColor.writePng(png, flow);
        assertArrayEquals(img.rgb(), RgbImage.read(png).rgb());
    }

    private static Tensor random(Random rnd, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.data()[i] = (float) (rnd.nextDouble() * 2 - 1);
        return t;
    }
}
