package perceiver.io.audio;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;
import perceiver.io.media.MediaException;

/**
 * Mono WAV files through javax.sound.sampled: reads 8/16/24/32-bit integer PCM and 32/64-bit float PCM, writes
 * 16-bit PCM or 32-bit float. Integer samples map to [-1, 1) by dividing by 2^(bits-1) (8-bit WAV is unsigned,
 * offset 128); writing 16-bit multiplies by 32768, rounds and clips to [-32768, 32767], so 16-bit files round-trip
 * exactly.
 */
public final class Wav {
    private Wav() {}

    /**
     * Reads a mono WAV file.
     *
     * @throws MediaException naming the file when it is missing, not WAV, not mono or of an unsupported encoding
     */
    public static AudioClip read(Path file) {
        if (!Files.isRegularFile(file)) throw new MediaException(file + ": no such audio file");
        try (AudioInputStream in = AudioSystem.getAudioInputStream(file.toFile())) {
            AudioFormat f = in.getFormat();
            if (f.getChannels() != 1) {
                throw new MediaException(file + ": expected mono audio, got " + f.getChannels() + " channels");
            }
            byte[] bytes = in.readAllBytes();
            int bits = f.getSampleSizeInBits(), width = (bits + 7) / 8;
            int n = bytes.length / width;
            float[] out = new float[n];
            ByteBuffer b = ByteBuffer.wrap(bytes).order(f.isBigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            AudioFormat.Encoding enc = f.getEncoding();
            if (enc.equals(AudioFormat.Encoding.PCM_FLOAT) && (bits == 32 || bits == 64)) {
                for (int i = 0; i < n; i++) out[i] = bits == 32 ? b.getFloat(i * 4) : (float) b.getDouble(i * 8);
            } else if ((enc.equals(AudioFormat.Encoding.PCM_SIGNED) || enc.equals(AudioFormat.Encoding.PCM_UNSIGNED))
                    && bits >= 8 && bits <= 32 && bits % 8 == 0) {
                boolean unsigned = enc.equals(AudioFormat.Encoding.PCM_UNSIGNED);
                double scale = 1.0 / (1L << (bits - 1));
                for (int i = 0; i < n; i++) {
                    long v = 0;
                    for (int k = 0; k < width; k++) {
                        int idx = f.isBigEndian() ? k : width - 1 - k; // most significant byte first
                        v = (v << 8) | (bytes[i * width + idx] & 0xff);
                    }
                    if (unsigned) v -= 1L << (bits - 1);
                    else if ((v & (1L << (bits - 1))) != 0) v -= 1L << bits;
                    out[i] = (float) (v * scale);
                }
            } else {
                throw new MediaException(file + ": unsupported WAV encoding " + enc + " " + bits
                        + "-bit (expected integer PCM or 32/64-bit float)");
            }
            return new AudioClip(out, Math.round(f.getSampleRate()));
        } catch (UnsupportedAudioFileException e) {
            throw new MediaException(file + ": not a readable WAV file (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new MediaException(file + ": cannot read audio (" + e.getMessage() + ")", e);
        }
    }

    /** Writes 16-bit signed little-endian PCM, mono (samples clipped to [-1, 1)). */
    public static void write16(Path file, AudioClip clip) {
        float[] s = clip.samples();
        ByteBuffer b = ByteBuffer.allocate(2 * s.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : s) {
            double q = Math.rint(v * 32768.0);
            b.putShort((short) (q >= 32767 ? 32767 : q <= -32768 ? -32768 : (int) q)); // NaN -> 0
        }
        write(file, b.array(), new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, clip.sampleRate(), 16, 1, 2,
                clip.sampleRate(), false), s.length);
    }

    /** Writes 32-bit IEEE float PCM, mono (samples as they are). */
    public static void writeFloat(Path file, AudioClip clip) {
        float[] s = clip.samples();
        ByteBuffer b = ByteBuffer.allocate(4 * s.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : s) b.putFloat(v);
        write(file, b.array(), new AudioFormat(AudioFormat.Encoding.PCM_FLOAT, clip.sampleRate(), 32, 1, 4,
                clip.sampleRate(), false), s.length);
    }

    private static void write(Path file, byte[] data, AudioFormat format, long frames) {
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(data), format, frames)) {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, file.toFile());
        } catch (IOException | IllegalArgumentException e) {
            throw new MediaException(file + ": cannot write WAV (" + e.getMessage() + ")", e);
        }
    }
}
