package perceiver.io.audio;

import java.util.Arrays;
import perceiver.tensor.Tensor;

/**
 * Audio input of HF v4.27.1 {@code PerceiverAudioPreprocessor(prep_type='patches')} (golden/README.md point 22):
 * raw samples grouped into patches of {@code samples_per_patch} consecutive samples.
 */
public final class AudioPatches {
    private AudioPatches() {}

    /**
     * A clip as the model input, zero-padded or truncated to the model's fixed sample count (the multimodal model
     * takes num_frames * audio_samples_per_frame samples).
     *
     * @return {@code [1, numSamples, 1]}
     */
    public static Tensor modelInput(float[] samples, int numSamples) {
        if (numSamples < 1) throw new IllegalArgumentException("numSamples must be positive, got " + numSamples);
        return Tensor.of(Arrays.copyOf(samples, numSamples), 1, numSamples, 1);
    }

    /**
     * {@code torch.reshape(inputs, [batch, -1, samples_per_patch])}.
     *
     * @param audio {@code [batch, n_samples, 1]} (or {@code [batch, n_samples]})
     * @return {@code [batch, n_samples / spp, spp]} (a copy)
     * @throws IllegalArgumentException unless n_samples is a multiple of spp
     */
    public static Tensor patch(Tensor audio, int samplesPerPatch) {
        boolean ok = audio.rank() == 2 || (audio.rank() == 3 && audio.dim(2) == 1);
        if (!ok) throw new IllegalArgumentException("audio must be [batch, n_samples, 1], got " + audio);
        int n = audio.dim(1);
        if (samplesPerPatch < 1 || n % samplesPerPatch != 0) {
            throw new IllegalArgumentException("audio of " + n + " samples is not a multiple of samples_per_patch " + samplesPerPatch);
        }
        return audio.copy().reshape(audio.dim(0), n / samplesPerPatch, samplesPerPatch);
    }
}
