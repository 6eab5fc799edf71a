package perceiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import perceiver.api.MediaFixtures;
import perceiver.io.audio.AudioClip;
import perceiver.io.audio.Wav;
import perceiver.io.media.RgbImage;

/**
 * {@code perceiver autoencode} on golden/multimodal-autoencoding: 2 frames of 8x8, 16 audio samples (4 patches of 4),
 * 5 labels, random weights.
 */
class AutoencodeCommandTest {
    private static final String MODEL = "golden/multimodal-autoencoding";
    private static final Pattern PSNR = Pattern.compile("(video|audio) PSNR (\\S+) dB .*");

    @TempDir
    Path tmp;

    @Test
    void writesFramesAndAudioAndPrintsPsnrAndLabels() {
        Path frames = tmp.resolve("frames");
        MediaFixtures.frames(frames, 2, 8, 8);
        Path wav = MediaFixtures.wav(tmp.resolve("a.wav"), 16, 48000);
        Path out = tmp.resolve("out");
        List<String> lines = CliRun.of("autoencode", "--model", MODEL, "--video", frames, "--audio", wav, "-o", out).ok();
        assertEquals("video PSNR", lines.get(0).substring(0, 10));
        assertTrue(lines.get(0).endsWith("(2 frames of 8x8)"), lines.get(0));
        assertTrue(lines.get(1).endsWith("(16 samples at 48000 Hz)"), lines.get(1));
        for (String line : lines.subList(0, 2)) {
            Matcher m = PSNR.matcher(line);
            assertTrue(m.matches(), line);
            assertTrue(Double.isFinite(Double.parseDouble(m.group(2))), line);
        }
        assertEquals("labels:", lines.get(2));
        double sum = 0;
        for (String line : lines.subList(3, 8)) sum += Double.parseDouble(line.trim().split("\\s+")[0]);
        assertEquals(1, sum, 5 * 0.00005 + 1e-9, "all 5 labels printed (--top 5), to 4 decimals");
        assertEquals("wrote " + out.resolve("audio.wav"), lines.get(lines.size() - 1));

        for (String f : new String[] {"frame0000.png", "frame0001.png"}) {
            RgbImage img = RgbImage.read(out.resolve(f));
            assertEquals(8, img.width());
            assertEquals(8, img.height());
        }
        assertFalse(Files.exists(out.resolve("frame0002.png")));
        AudioClip audio = Wav.read(out.resolve("audio.wav"));
        assertEquals(16, audio.samples().length);
        assertEquals(48000, audio.sampleRate());
    }

    /** Frame files in order, and the chunking does not change the printed results. */
    @Test
    void chunkingDoesNotChangeTheResult() {
        List<Path> frames = MediaFixtures.frames(tmp, 2, 8, 8);
        Path wav = MediaFixtures.wav(tmp.resolve("a.wav"), 16, 44100);
        List<String> one = CliRun.of("autoencode", "-m", MODEL, "--video", frames.get(0), frames.get(1), "--audio", wav,
                "--sample-rate", "44100", "--chunks", "1", "-o", tmp.resolve("one")).ok();
        List<String> four = CliRun.of("autoencode", "-m", MODEL, "--video", frames.get(0), frames.get(1), "--audio", wav,
                "--sample-rate", "44100", "--chunks", "4", "-o", tmp.resolve("four")).ok();
        assertEquals(one.subList(0, 8), four.subList(0, 8));
    }

    @Test
    void badInputsAreOneErrorLineNamingTheFileAndTheSizes() {
        Path dir = tmp.resolve("video");
        List<Path> frames = MediaFixtures.frames(dir, 2, 8, 8);
        Path wav = MediaFixtures.wav(tmp.resolve("a.wav"), 16, 48000);
        Path out = tmp.resolve("out");
        Path rate = MediaFixtures.wav(tmp.resolve("rate.wav"), 16, 16000);
        CliRun.of("autoencode", "-m", MODEL, "--video", dir, "--audio", rate, "-o", out).badInput("rate.wav", "16000 Hz", "48000 Hz");
        Path count = MediaFixtures.wav(tmp.resolve("count.wav"), 20, 48000);
        CliRun.of("autoencode", "-m", MODEL, "--video", dir, "--audio", count, "-o", out).badInput("count.wav", "20 samples", "exactly 16");
        CliRun.of("autoencode", "-m", MODEL, "--video", frames.get(0), "--audio", wav, "-o", out)
                .badInput("f0.png", "1 frame(s)", "2 frame(s) of 8x8");
        List<Path> big = MediaFixtures.frames(tmp.resolve("big"), 2, 16, 16);
        CliRun.of("autoencode", "-m", MODEL, "--video", tmp.resolve("big"), "--audio", wav, "-o", out)
                .badInput("2 frame(s) of 16x16", "2 frame(s) of 8x8");
        Path odd = MediaFixtures.pattern(tmp.resolve("odd.png"), 8, 4, 0);
        CliRun.of("autoencode", "-m", MODEL, "--video", frames.get(0), odd, "--audio", wav, "-o", out)
                .badInput("odd.png", "8x4", "8x8");
        CliRun.of("autoencode", "-m", MODEL, "--video", tmp.resolve("none"), "--audio", wav, "-o", out).badInput("none", "no such image file");
        CliRun.of("autoencode", "-m", MODEL, "--video", big.get(0), dir, "--audio", wav, "-o", out).badInput("a directory among several");
        CliRun.of("autoencode", "-m", MODEL, "--video", dir, "--audio", tmp.resolve("no.wav"), "-o", out).badInput("no.wav", "no such audio file");
        CliRun.of("autoencode", "-m", MODEL, "--video", dir, "--audio", wav, "--chunks", "0", "-o", out).badInput("--chunks");
        CliRun.of("autoencode", "-m", "golden/optical-flow", "--video", dir, "--audio", wav, "-o", out).badInput("not a multimodal autoencoder");
        assertFalse(Files.exists(out));
    }
}
