package perceiver.io.multimodal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import perceiver.core.Trace;
import perceiver.io.audio.AudioPatches;
import perceiver.io.media.SpaceToDepth;
import perceiver.io.position.FourierFeatures;
import perceiver.tensor.LongTensor;
import perceiver.tensor.Tensor;

/**
 * HF's {@code PerceiverMultimodalPreprocessor} for video + audio + label autoencoding (paper §4.4, README 22):
 * <ul>
 *   <li>audio {@code [B, n, 1] → [B, n/spp, spp]} + 1-D Fourier features of the patch index;</li>
 *   <li>video {@code [B, T, 3, H, W]} → 4×4 space-to-depth {@code [B, T·H/4·W/4, 48]} + 3-D Fourier features;</li>
 *   <li>label {@code [B, L] → [B, 1, L]};</li>
 * </ul>
 * each padded on the channel axis with its own trainable vector to a common width, the label replaced by the
 * trainable mask vector (mask probability 1; audio and video 0), concatenated in sorted modality order.
 *
 * @param padding per modality {@code [1, channels - C_m]}
 * @param mask    per modality {@code [1, channels]}; applied to the modalities in {@link #MASKED}
 */
public record MultimodalPreprocessor(int samplesPerPatch, FourierFeatures audioFourier, FourierFeatures videoFourier,
                                     int numLabels, Map<String, Tensor> padding, Map<String, Tensor> mask) {
    /** Modalities in the order they are concatenated (sorted by name, as HF). */
    public static final List<String> MODALITIES = List.of("audio", "image", "label");
    /** Modalities always replaced by the mask vector (mask probability 1). */
    public static final List<String> MASKED = List.of("label");
    /** Space-to-depth block of the video frames. */
    public static final int VIDEO_BLOCK = 4;
    /** HF's {@code min_padding_size} of the preprocessor. */
    public static final int MIN_PADDING = 4;

    /** Channels of each modality before padding. */
    public static Map<String, Integer> modalityChannels(int samplesPerPatch, FourierFeatures audio, FourierFeatures video,
                                                        int numLabels) {
        return Map.of("audio", samplesPerPatch + audio.numChannels(),
                "image", VIDEO_BLOCK * VIDEO_BLOCK * 3 + video.numChannels(), "label", numLabels);
    }

    /** The common width: the widest modality plus {@link #MIN_PADDING}. */
    public static int channels(Map<String, Integer> modalityChannels) {
        return modalityChannels.values().stream().mapToInt(Integer::intValue).max().orElseThrow() + MIN_PADDING;
    }

    public int channels() { return channels(modalityChannels(samplesPerPatch, audioFourier, videoFourier, numLabels)); }

    /** The preprocessed array and the number of its rows per modality (sorted order). */
    public record Output(Tensor array, Map<String, Integer> sizes) {}

    /**
     * @param audio {@code [B, n, 1]}, n a multiple of samples_per_patch
     * @param video {@code [B, T, 3, H, W]}, H and W multiples of 4
     * @param label {@code [B, num_labels]} (its values are masked out)
     */
    public Output forward(Tensor audio, Tensor video, Tensor label, Trace trace) {
        int batch = video.dim(0);
        if (audio.rank() != 3 || audio.dim(0) != batch || audio.dim(2) != 1) {
            throw new IllegalArgumentException("audio must be [" + batch + ", samples, 1], got " + audio);
        }
        if (video.rank() != 5 || video.dim(2) != 3) throw new IllegalArgumentException("video must be [batch, T, 3, H, W], got " + video);
        if (label.rank() != 2 || label.dim(0) != batch || label.dim(1) != numLabels) {
            throw new IllegalArgumentException("label must be [" + batch + ", " + numLabels + "], got " + label);
        }
        Map<String, Tensor> withoutPos = new LinkedHashMap<>();
        Map<String, Tensor> features = new LinkedHashMap<>();
        Tensor a = AudioPatches.patch(audio, samplesPerPatch);
        withoutPos.put("audio", a);
        features.put("audio", audioFourier.appendTo(a, a.dim(1)));
        Tensor v = SpaceToDepth.apply(video, 1, VIDEO_BLOCK);
        int t = v.dim(1), h = v.dim(2), w = v.dim(3);
        Tensor vFlat = v.reshape(batch, t * h * w, v.dim(4));
        withoutPos.put("image", vFlat);
        features.put("image", videoFourier.appendTo(vFlat, t, h, w));
        Tensor l = label.reshape(batch, 1, numLabels);
        withoutPos.put("label", l);
        features.put("label", l);

        Map<String, Integer> sizes = new LinkedHashMap<>();
        Tensor[] padded = new Tensor[MODALITIES.size()];
        for (int i = 0; i < padded.length; i++) {
            String m = MODALITIES.get(i);
            Tensor x = features.get(m);
            padded[i] = MASKED.contains(m) ? broadcastRows(mask.get(m), batch, x.dim(1))
                    : Tensor.concatLast(x, broadcastRows(padding.get(m), batch, x.dim(1)));
            sizes.put(m, x.dim(1));
            trace.put("preprocessor.inputs_without_pos." + m, withoutPos.get(m));
        }
        Tensor out = Tensor.concatTokens(padded);
        trace.put("preprocessor.output", out);
        trace.put("preprocessor.modality_sizes", new LongTensor(sizes.values().stream().mapToLong(Integer::longValue).toArray(),
                new int[] {sizes.size()}));
        return new Output(out, sizes);
    }

    /** {@code row [1, C]} repeated to {@code [batch, n, C]}. */
    public static Tensor broadcastRows(Tensor row, int batch, int n) {
        return row.repeat(batch * n).reshape(batch, n, row.dim(-1));
    }
}
