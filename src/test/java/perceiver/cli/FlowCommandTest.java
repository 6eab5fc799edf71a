package perceiver.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static perceiver.io.TensorAsserts.assertClose;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import perceiver.api.MediaFixtures;
import perceiver.api.PerceiverIO;
import perceiver.core.Trace;
import perceiver.io.Progress;
import perceiver.io.flow.FloFile;
import perceiver.io.media.RgbImage;
import perceiver.models.Inputs;
import perceiver.models.OpticalFlow;
import perceiver.tensor.Tensor;

/** {@code perceiver flow} on golden/optical-flow (train_size 12x16, random weights). */
class FlowCommandTest {
    private static final String MODEL = "golden/optical-flow";

    @TempDir
    Path tmp;

    @Test
    void framesOfTheTrainingSizeGiveTheModelsForwardPass() {
        Path a = MediaFixtures.crop(MediaFixtures.FRAME1, 10, 5, 12, 16, tmp.resolve("a.png"));
        Path b = MediaFixtures.crop(MediaFixtures.FRAME2, 10, 5, 12, 16, tmp.resolve("b.png"));
        List<String> lines = CliRun.of("flow", "--model", MODEL, a, b, "-o", tmp.resolve("out")).ok();
        assertTrue(lines.get(0).startsWith("flow 16x12 (WxH): mean (u, v) = "), lines.get(0));
        assertEquals(List.of("wrote " + tmp.resolve("out.flo"), "wrote " + tmp.resolve("out.png")), lines.subList(1, 3));

        Tensor flow = FloFile.read(tmp.resolve("out.flo"));
        assertArrayEquals(new int[] {12, 16, 2}, flow.shape());
        OpticalFlow model = (OpticalFlow) PerceiverIO.load(Path.of(MODEL)).task();
        Tensor input = OpticalFlow.input(RgbImage.read(a).toChw(2, -1), RgbImage.read(b).toChw(2, -1));
        Tensor direct = model.forward(new Inputs().put("inputs", input), Trace.OFF).get("logits").get(0);
        assertClose(direct, flow, 1e-6, "flow CLI on a 12x16 pair vs the model's forward pass");
        RgbImage png = RgbImage.read(tmp.resolve("out.png"));
        assertEquals(16, png.width());
        assertEquals(12, png.height());
    }

    @Test
    void largerFramesAreTiledAndAFloSuffixIsDropped() {
        List<String> lines = CliRun.of("flow", "--model", MODEL, MediaFixtures.FRAME1, MediaFixtures.FRAME2,
                "-o", tmp.resolve("pair.flo")).ok();
        assertTrue(lines.get(0).startsWith("flow 64x80 (WxH)"), lines.get(0));
        assertTrue(Files.isRegularFile(tmp.resolve("pair.png")));
        assertFalse(Files.exists(tmp.resolve("pair.flo.flo")));
        Tensor flow = FloFile.read(tmp.resolve("pair.flo"));
        assertArrayEquals(new int[] {80, 64, 2}, flow.shape());
        for (float v : flow.toArray()) assertTrue(Float.isFinite(v));
        RgbImage png = RgbImage.read(tmp.resolve("pair.png"));
        assertEquals(64, png.width());
        assertEquals(80, png.height());
        // the same frames through the API (not bitwise: a first, not yet JIT-compiled run differs by ~2e-8)
        Tensor api = PerceiverIO.load(Path.of(MODEL)).opticalFlow(MediaFixtures.FRAME1, MediaFixtures.FRAME2, Progress.NONE);
        assertClose(api, flow, 1e-6, "written .flo vs API flow");
    }

    @Test
    void badFramesAreOneErrorLine() {
        Path small = MediaFixtures.crop(MediaFixtures.FRAME1, 0, 0, 10, 20, tmp.resolve("small.png"));
        CliRun.of("flow", "--model", MODEL, small, small, "-o", tmp.resolve("x")).badInput("small.png", "20x10", "16x12");
        CliRun.of("flow", "--model", MODEL, MediaFixtures.FRAME1, MediaFixtures.RGB_IMAGE, "-o", tmp.resolve("x"))
                .badInput(MediaFixtures.RGB_IMAGE.toString(), "300x200", "64x80");
        CliRun.of("flow", "--model", MODEL, MediaFixtures.FRAME1, tmp.resolve("nope.png"), "-o", tmp.resolve("x"))
                .badInput("nope.png");
        CliRun.of("flow", "--model", "golden/image-conv", MediaFixtures.FRAME1, MediaFixtures.FRAME2, "-o", tmp.resolve("x"))
                .badInput("not an optical-flow model");
        CliRun missing = CliRun.of("flow", "--model", MODEL, MediaFixtures.FRAME1, MediaFixtures.FRAME2);
        assertEquals(2, missing.code());
        assertTrue(missing.err().startsWith("error: Missing required option: '--output=OUT'"), missing.err());
        assertFalse(Files.exists(tmp.resolve("x.flo")));
    }

    /** The hint printed after a usage error ("run 'perceiver X --help'") works for every command. */
    @Test
    void everyCommandHasHelp() {
        for (String command : Main.commandLine().getSubcommands().keySet()) {
            List<String> lines = CliRun.of(command, "--help").ok();
            assertTrue(lines.get(0).startsWith("Usage: perceiver " + command + " "), lines.get(0));
        }
    }

    @Test
    void terminalProgressRewritesOneLine() {
        StringWriter s = new StringWriter();
        var p = TerminalProgress.to(new PrintWriter(s), "flow: tile");
        p.done(1, 3);
        p.done(2, 3);
        p.done(3, 3);
        assertEquals("\rflow: tile 1/3\rflow: tile 2/3\rflow: tile 3/3" + System.lineSeparator(), s.toString());
    }
}
