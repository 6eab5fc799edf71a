package perceiver.models;

import java.util.LinkedHashMap;
import java.util.Map;

import perceiver.core.MultimodalDecoder;
import perceiver.core.Perceiver;
import perceiver.core.Trace;
import perceiver.io.multimodal.MultimodalPreprocessor;
import perceiver.io.position.FourierFeatures;
import perceiver.nn.Linear;
import perceiver.tensor.Backend;
import perceiver.tensor.LongTensor;
import perceiver.tensor.Tensor;

/**
 * Multimodal (video + audio + label) autoencoding (paper §4.4, HF {@code PerceiverForMultimodalAutoencoding}).
 * Decoder queries: audio patches and video pixels by Fourier features of their (subsampled) positions, the label
 * by a learned query; postprocessors project each modality's rows to samples, RGB and class logits.
 * <pre>
 *   inputs.audio [B, n, 1], inputs.image [B, T, 3, H, W], inputs.label [B, L]
 *   → logits.audio [B, n_a·spp], logits.image [B, n_i, 3], logits.label [B, L]
 * </pre>
 * for the points in {@code subsampled_output_points.audio/.image} (flat indices), or ALL points when absent (where
 * the reference implementation raises).
 */
public record MultimodalAutoencoder(PerceiverConfig config, MultimodalPreprocessor preprocessor, Perceiver perceiver,
                                    FourierFeatures audioQueries, FourierFeatures imageQueries, Tensor labelQuery,
                                    MultimodalDecoder decoder, Linear audioOut, Linear imageOut, Linear labelOut)
        implements PerceiverTask {
    public static final String MODEL_CLASS = "PerceiverForMultimodalAutoencoding";

    static MultimodalAutoencoder build(PerceiverConfig c, Parameters p) {
        return HfModules.multimodal(p, c);
    }

    /** Audio patches decoded: {@code num_frames · audio_samples_per_frame / samples_per_patch}. */
    public int audioPatches() {
        return config.numFrames() * config.audioSamplesPerFrame() / config.samplesPerPatch();
    }

    /** The decoded video grid {@code (T, H, W)} = {@code output_shape[1:4]}. */
    public int[] videoGrid() {
        int[] s = config.outputShape();
        return new int[] {s[1], s[2], s[3]};
    }

    @Override
    public <A> Map<String, Tensor> pass(Backend<A> be, Inputs in, Trace trace) {
        MultimodalPreprocessor.Output pre = preprocessor.forward(in.tensor("inputs.audio"), in.tensor("inputs.image"),
                in.tensor("inputs.label"), trace);
        A latents = perceiver.encode(be, be.upload(pre.array()), null, trace);
        long[] audio = points(in.optionalLongs("subsampled_output_points.audio"), audioPatches(), "audio");
        int[] grid = videoGrid();
        long[] image = points(in.optionalLongs("subsampled_output_points.image"), grid[0] * grid[1] * grid[2], "image");
        Map<String, Tensor> out = decode(be, latents, audio, image, trace);
        out.forEach((k, v) -> trace.put(k, v));
        return out;
    }

    /**
     * Decodes the given audio-patch and video-pixel points (and the label) from encoded latents; each call's memory
     * is proportional to the number of points, so a full reconstruction decodes chunk by chunk.
     */
    public <A> Map<String, Tensor> decode(Backend<A> be, A latents, long[] audioPoints, long[] imagePoints, Trace trace) {
        int batch = be.shape(latents)[0];
        Map<String, Tensor> queries = new LinkedHashMap<>();
        queries.put("audio", audioQueries.encodeSubsampled(audioPoints, audioPatches()).repeat(batch));
        queries.put("image", imageQueries.encodeSubsampled(imagePoints, videoGrid()).repeat(batch));
        queries.put("label", labelQuery.repeat(batch));
        Map<String, Tensor> rows = decoder.decode(be, queries, latents, trace);
        Map<String, Tensor> logits = new LinkedHashMap<>();
        logits.put("logits.audio", audioOut.forward(rows.get("audio")).reshape(batch, -1));
        logits.put("logits.image", imageOut.forward(rows.get("image")));
        Tensor label = labelOut.forward(rows.get("label"));
        logits.put("logits.label", label.reshape(batch, label.dim(2)));
        return logits;
    }

    /** The given points, checked, or {@code 0..count-1}. */
    static long[] points(LongTensor given, int count, String modality) {
        if (given == null) {
            long[] all = new long[count];
            for (int i = 0; i < count; i++) all[i] = i;
            return all;
        }
        for (long p : given.data()) {
            if (p < 0 || p >= count) {
                throw new IllegalArgumentException("subsampled_output_points." + modality + " holds " + p
                        + ", outside [0, " + count + ")");
            }
        }
        return given.data();
    }
}
