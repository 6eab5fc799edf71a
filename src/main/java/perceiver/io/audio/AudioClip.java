package perceiver.io.audio;

/**
 * Mono audio: samples in [-1, 1] (16-bit PCM maps s to s / 32768) at {@code sampleRate} Hz.
 *
 * @param samples    {@code [n_samples]}
 * @param sampleRate samples per second
 */
public record AudioClip(float[] samples, int sampleRate) {
    public AudioClip {
        if (sampleRate < 1) throw new IllegalArgumentException("sample rate must be positive, got " + sampleRate);
    }

    /** Duration in seconds. */
    public double seconds() { return (double) samples.length / sampleRate; }
}
