package perceiver.io.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static perceiver.io.TensorAsserts.assertClose;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import perceiver.io.media.MediaException;
import perceiver.checkpoint.Checkpoints;
import perceiver.checkpoint.TensorStore;
import perceiver.tensor.Tensor;

class AudioTest {
    @Test
    void patchesMatchMultimodalGolden() {
        try (TensorStore g = Checkpoints.open(Path.of("golden/multimodal-autoencoding/io.safetensors"))) {
            assertClose(g.floats("preprocessor.inputs_without_pos.audio"), AudioPatches.patch(g.floats("inputs.audio"), 4), 0,
                    "multimodal inputs_without_pos.audio (patches of 4)");
            assertThrows(IllegalArgumentException.class, () -> AudioPatches.patch(Tensor.zeros(1, 10, 1), 4));
            Tensor in = AudioPatches.modelInput(new float[] {1, 2, 3}, 5);
            assertArrayEquals(new int[] {1, 5, 1}, in.shape());
            assertArrayEquals(new float[] {1, 2, 3, 0, 0}, in.toArray());
        }
    }

    @Test
    void wavRoundTrips(@TempDir Path tmp) {
        float[] s = new float[1000];
        for (int i = 0; i < s.length; i++) s[i] = (float) Math.rint(Math.sin(i * 0.05) * 30000) / 32768f;
        AudioClip clip = new AudioClip(s, 16000);
        Path p16 = tmp.resolve("a16.wav");
        Wav.write16(p16, clip);
        AudioClip back = Wav.read(p16);
        assertEquals(16000, back.sampleRate());
        assertArrayEquals(s, back.samples(), "16-bit PCM round trip is exact");
        Path pf = tmp.resolve("af.wav");
        float[] f = {0.25f, -0.123456f, 1.5f};
        Wav.writeFloat(pf, new AudioClip(f, 8000));
        assertArrayEquals(f, Wav.read(pf).samples(), "float WAV round trip is exact");
        Wav.write16(tmp.resolve("clip.wav"), new AudioClip(new float[] {2f, -2f, Float.NaN}, 8000));
        assertArrayEquals(new float[] {32767 / 32768f, -1f, 0f}, Wav.read(tmp.resolve("clip.wav")).samples());
    }

    @Test
    void badFilesNameTheFile(@TempDir Path tmp) throws Exception {
        Path bad = tmp.resolve("noise.wav");
        Files.writeString(bad, "definitely not RIFF data");
        MediaException e = assertThrows(MediaException.class, () -> Wav.read(bad));
        assertTrue(e.getMessage().contains("noise.wav"), e.getMessage());
        e = assertThrows(MediaException.class, () -> Wav.read(tmp.resolve("missing.wav")));
        assertTrue(e.getMessage().contains("missing.wav"), e.getMessage());
        // stereo is refused
        Path stereo = tmp.resolve("stereo.wav");
        javax.sound.sampled.AudioFormat fmt = new javax.sound.sampled.AudioFormat(8000, 16, 2, true, false);
        try (var in = new javax.sound.sampled.AudioInputStream(new java.io.ByteArrayInputStream(new byte[40]), fmt, 10)) {
            javax.sound.sampled.AudioSystem.write(in, javax.sound.sampled.AudioFileFormat.Type.WAVE, stereo.toFile());
        }
        e = assertThrows(MediaException.class, () -> Wav.read(stereo));
        assertTrue(e.getMessage().contains("mono") && e.getMessage().contains("2 channels"), e.getMessage());
    }
}
