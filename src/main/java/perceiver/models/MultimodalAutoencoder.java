package perceiver.models;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import perceiver.core.BasicDecoder;
import perceiver.core.MultimodalDecoder;
import perceiver.core.Perceiver;
import perceiver.core.Trace;
import perceiver.io.Progress;
import perceiver.io.multimodal.MultimodalPreprocessor;
import perceiver.io.position.FourierFeatures;
import perceiver.nn.Attention;
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
                                    MultimodalDecoder decoder, Map<String, BasicDecoder.Head> heads)
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

    /** Video points decoded: {@code T·H·W} of {@link #videoGrid}. */
    public int videoPoints() {
        int[] g = videoGrid();
        return g[0] * g[1] * g[2];
    }

    @Override
    public <A> Map<String, Tensor> pass(Backend<A> be, Inputs in, Trace trace) {
        A latents = encode(be, in.tensor("inputs.audio"), in.tensor("inputs.image"), in.tensor("inputs.label"), trace);
        long[] audio = points(in.optionalLongs("subsampled_output_points.audio"), audioPatches(), "audio");
        long[] image = points(in.optionalLongs("subsampled_output_points.image"), videoPoints(), "image");
        Map<String, Tensor> out = decode(be, latents, audio, image, trace);
        out.forEach((k, v) -> trace.put(k, v));
        return out;
    }

    /**
     * Preprocesses and encodes the inputs (the label is masked out by the preprocessor whatever its values).
     *
     * @param audio {@code [B, num_frames·audio_samples_per_frame, 1]}
     * @param video {@code [B, T, 3, H, W]} in [0, 1]
     * @param label {@code [B, num_labels]}
     * @return the latents {@code [B, num_latents, d_latents]}, to be decoded by {@link #decode} or {@link #decodeInChunks}
     */
    public <A> A encode(Backend<A> be, Tensor audio, Tensor video, Tensor label, Trace trace) {
        MultimodalPreprocessor.Output pre = preprocessor.forward(audio, video, label, trace);
        return perceiver.encode(be, be.upload(pre.array()), null, trace);
    }

    /**
     * A full reconstruction: {@code audio [B, n_a·spp]} samples, {@code image [B, T·H·W, 3]} RGB of the points of
     * {@code videoGrid} (T, H, W) in row-major order, {@code label [B, L]} logits.
     */
    public record Reconstruction(Tensor audio, Tensor image, Tensor label, int[] videoGrid) {
        /** Batch element {@code b} of the video as frames {@code [T, 3, H, W]} (values as decoded, not clamped). */
        public Tensor videoFrames(int b) {
            int t = videoGrid[0], n = videoGrid[1] * videoGrid[2];
            Tensor rgb = image.get(b), out = Tensor.zeros(t, 3, videoGrid[1], videoGrid[2]);
            float[] src = rgb.data(), dst = out.data();
            for (int f = 0; f < t; f++) {
                for (int p = 0; p < n; p++) {
                    for (int c = 0; c < 3; c++) dst[(f * 3 + c) * n + p] = src[rgb.offset() + (f * n + p) * 3 + c];
                }
            }
            return out;
        }
    }

    /**
     * The number of chunks {@link #decodeInChunks} uses for a requested count: at most the number of audio patches
     * and of video points, so that every chunk decodes at least one point of each.
     */
    public int chunkCount(int requested) {
        if (requested < 1) throw new IllegalArgumentException("chunk count must be >= 1, got " + requested);
        return Math.min(requested, Math.min(audioPatches(), videoPoints()));
    }

    /**
     * Decodes every audio patch and video point from the latents in {@link #chunkCount chunkCount(chunks)}
     * consecutive point ranges, each as {@link #decode} would (HF's chunked-decoding recipe, with the remainder spread
     * over the chunks), so memory is that of one chunk's queries plus the outputs; the latents' keys and values are
     * formed once for all chunks. The label logits are those of the first chunk (each query row is decoded
     * independently of the others).
     */
    public <A> Reconstruction decodeInChunks(Backend<A> be, A latents, int chunks, Progress progress) {
        int n = chunkCount(chunks), batch = be.shape(latents)[0];
        int audioPatches = audioPatches(), videoPoints = videoPoints(), spp = config.samplesPerPatch();
        Tensor audio = Tensor.zeros(batch, audioPatches * spp);
        Tensor image = Tensor.zeros(batch, videoPoints, 3);
        Tensor label = null;
        long rows = audioPatches + videoPoints + n; // every chunk also decodes the label query
        List<Attention.Memory<A>> memory = decoder.decoder().memory(be, latents, rows); // once for all chunks
        for (int c = 0; c < n; c++) {
            int a0 = split(audioPatches, c, n), a1 = split(audioPatches, c + 1, n);
            int i0 = split(videoPoints, c, n), i1 = split(videoPoints, c + 1, n);
            Map<String, Tensor> queries = queries(batch, range(a0, a1), range(i0, i1));
            Map<String, Tensor> out = logits(decoder.decode(be, queries, memory, heads), batch);
            for (int b = 0; b < batch; b++) {
                copy(out.get("logits.audio").get(b), audio.get(b), a0 * spp);
                copy(out.get("logits.image").get(b), image.get(b), i0 * 3);
            }
            if (label == null) label = out.get("logits.label");
            progress.done(c + 1, n);
        }
        return new Reconstruction(audio, image, label, videoGrid());
    }

    private static int split(int count, int chunk, int chunks) {
        return (int) ((long) count * chunk / chunks);
    }

    private static long[] range(int from, int to) {
        long[] r = new long[to - from];
        for (int i = 0; i < r.length; i++) r[i] = from + i;
        return r;
    }

    private static void copy(Tensor src, Tensor dst, int at) {
        System.arraycopy(src.data(), src.offset(), dst.data(), dst.offset() + at, src.size());
    }

    /**
     * Decodes the given audio-patch and video-pixel points (and the label) from encoded latents; each call's memory
     * is proportional to the number of points, so a full reconstruction decodes chunk by chunk.
     */
    public <A> Map<String, Tensor> decode(Backend<A> be, A latents, long[] audioPoints, long[] imagePoints, Trace trace) {
        int batch = be.shape(latents)[0];
        Map<String, Tensor> queries = queries(batch, audioPoints, imagePoints);
        if (trace.on()) {
            Map<String, Tensor> rows = decoder.decode(be, queries, latents, trace), out = new LinkedHashMap<>();
            rows.forEach((modality, r) -> out.put(modality, heads.get(modality).head().forward(r)));
            return logits(out, batch);
        }
        long n = audioPoints.length + imagePoints.length + 1;
        return logits(decoder.decode(be, queries, decoder.decoder().memory(be, latents, n), heads), batch);
    }

    private Map<String, Tensor> queries(int batch, long[] audioPoints, long[] imagePoints) {
        Map<String, Tensor> queries = new LinkedHashMap<>();
        queries.put("audio", audioQueries.encodeSubsampled(audioPoints, audioPatches()).repeat(batch));
        queries.put("image", imageQueries.encodeSubsampled(imagePoints, videoGrid()).repeat(batch));
        queries.put("label", labelQuery.repeat(batch));
        return queries;
    }

    /** The heads' outputs of each modality as the model's outputs (audio samples flattened, one label row). */
    private static Map<String, Tensor> logits(Map<String, Tensor> heads, int batch) {
        Map<String, Tensor> logits = new LinkedHashMap<>();
        logits.put("logits.audio", heads.get("audio").reshape(batch, -1));
        logits.put("logits.image", heads.get("image"));
        Tensor label = heads.get("label");
        logits.put("logits.label", label.reshape(batch, label.dim(2)));
        return logits;
    }

    /** The given points, checked, or {@code 0..count-1}. */
    static long[] points(LongTensor given, int count, String modality) {
        if (given == null) return range(0, count);
        for (long p : given.data()) {
            if (p < 0 || p >= count) {
                throw new IllegalArgumentException("subsampled_output_points." + modality + " holds " + p
                        + ", outside [0, " + count + ")");
            }
        }
        return given.data();
    }
}
