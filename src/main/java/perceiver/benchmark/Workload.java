package perceiver.benchmark;

import java.util.List;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;

import perceiver.models.ImageClassifier;
import perceiver.models.Inputs;
import perceiver.models.MaskedLanguageModel;
import perceiver.models.MultimodalAutoencoder;
import perceiver.models.OpticalFlow;
import perceiver.models.PerceiverConfig;
import perceiver.models.TextClassifier;
import perceiver.tensor.LongTensor;
import perceiver.tensor.Tensor;

/**
 * The input of one benchmarked forward pass (batch 1), sized as in the paper unless overridden: 2,048 bytes of
 * text, 224×224 images, one 368×496 frame pair, 16 frames of 224×224 video with 30,720 audio samples. Inputs are
 * random (deterministic per seed): the cost does not depend on their values.
 */
public sealed interface Workload {

    /** Every input name a workload may give (the reference implementation's argument names). */
    List<String> INPUT_NAMES = List.of("inputs", "attention_mask", "inputs.audio", "inputs.image", "inputs.label",
            "subsampled_output_points.audio", "subsampled_output_points.image");

    /** One line, e.g. {@code text 2048 bytes}. */
    String describe();

    /** Rows of the array the encoder cross-attends to (M). */
    long inputRows();

    /** Decoder query rows over the whole pass (O). */
    long outputQueries();

    /** The model inputs, under the reference implementation's argument names. */
    Inputs inputs(PerceiverConfig c, long seed);

    /** The paper-sized workload of an architecture; {@code imageSize} overrides 224 for the ImageNet models (0: keep). */
    static Workload paperSized(PerceiverConfig c, int imageSize) {
        int image = imageSize > 0 ? imageSize : 224;
        return switch (c.modelClass()) {
            case MaskedLanguageModel.MODEL_CLASS -> new Text(c.maxPositionEmbeddings(), c.maxPositionEmbeddings());
            case TextClassifier.MODEL_CLASS -> new Text(c.maxPositionEmbeddings(), 1);
            // the learned position table fixes the image size of this model
            case ImageClassifier.LEARNED -> new Image(Image.Prep.CONV1X1, c.imageSize(), c.imageSize());
            case ImageClassifier.FOURIER -> new Image(Image.Prep.PIXELS, image, image);
            case ImageClassifier.CONV -> new Image(Image.Prep.CONV, image, image);
            case OpticalFlow.MODEL_CLASS -> new Flow(c.trainSize()[0], c.trainSize()[1]);
            case MultimodalAutoencoder.MODEL_CLASS -> new Multimodal(c.outputShape()[1], c.outputShape()[2],
                    c.outputShape()[3], c.numFrames() * c.audioSamplesPerFrame(), c.samplesPerPatch(),
                    Multimodal.REFERENCE_CHUNKS);
            default -> new Generic(Generic.DEFAULT_INPUT_ROWS, genericOutputs(c));
        };
    }

    /**
     * Byte-level text: {@code length} token ids, all attended; {@code queries} decoder queries (the masked-LM
     * decodes every position, a classifier one query).
     */
    record Text(int length, int queries) implements Workload {
        public String describe() { return "text " + length + " bytes"; }

        public long inputRows() { return length; }

        public long outputQueries() { return queries; }

        public Inputs inputs(PerceiverConfig c, long seed) {
            SplittableRandom rng = new SplittableRandom(seed);
            long[] ids = new long[length], mask = new long[length];
            for (int i = 0; i < length; i++) {
                ids[i] = 6 + rng.nextInt(256); // UTF-8 byte b is token b + 6
                mask[i] = 1;
            }
            return new Inputs().put("inputs", new LongTensor(ids, new int[] {1, length}))
                    .put("attention_mask", new LongTensor(mask, new int[] {1, length}));
        }
    }

    /** An RGB image {@code [1, 3, H, W]} for one of the three ImageNet preprocessors. */
    record Image(Prep prep, int height, int width) implements Workload {
        public enum Prep { CONV1X1, PIXELS, CONV }

        public String describe() { return "image " + height + "x" + width; }

        public long inputRows() {
            if (prep != Prep.CONV) return (long) height * width;
            int[] conv = convGrid();
            return (long) ((conv[0] - 3) / 2 + 1) * ((conv[1] - 3) / 2 + 1); // 3x3 stride-2 max-pool
        }

        /** Output grid of the conv stem's 7x7 stride-2 convolution (padding 3). */
        public int[] convGrid() { return new int[] {(height - 1) / 2 + 1, (width - 1) / 2 + 1}; }

        public long outputQueries() { return 1; }

        public Inputs inputs(PerceiverConfig c, long seed) {
            return new Inputs().put("inputs", gaussian(seed, 1, 3, height, width));
        }
    }

    /** One frame pair as the optical-flow model reads it: {@code [1, 2, 27, H, W]} 3×3 patches. */
    record Flow(int height, int width) implements Workload {
        public String describe() { return "flow " + height + "x" + width + " frame pair"; }

        public long inputRows() { return (long) height * width; }

        public long outputQueries() { return (long) height * width; }

        public Inputs inputs(PerceiverConfig c, long seed) {
            return new Inputs().put("inputs", gaussian(seed, 1, 2, 27, height, width));
        }
    }

    /**
     * Video {@code [1, T, 3, H, W]}, audio {@code [1, samples, 1]} and a (masked) label, encoded once and decoded
     * completely — every video pixel, audio patch and the label — in {@code chunks} chunks as the reference API's
     * recipe does (chunk k decodes pixels {@code [k·P/chunks, (k+1)·P/chunks)}, the matching audio patches and the
     * label).
     */
    record Multimodal(int frames, int height, int width, int audioSamples, int samplesPerPatch, int chunks)
            implements Workload {
        /** The chunk count of the reference API's recipe (HF docs and conversion script). */
        public static final int REFERENCE_CHUNKS = 128;
        /** HF's hard-coded decoder query width (1024 + 2 padding) and output width. */
        public static final int QUERY_CHANNELS = 1026, DECODER_OUT = 512;

        /**
         * {@code chunks} is capped at the audio patches and the video points, so that every chunk decodes at least one
         * of each, as {@link MultimodalAutoencoder#chunkCount} does (a small model's 128 chunks would leave some without
         * audio, which HF's postprocessor cannot reshape); the published model's 128 stay 128.
         */
        public Multimodal {
            chunks = (int) Math.min(chunks, Math.min(audioSamples / samplesPerPatch, (long) frames * height * width));
        }

        public String describe() {
            return "video " + frames + "x" + height + "x" + width + " + audio " + audioSamples + ", " + chunks + " chunks";
        }

        public long videoPoints() { return (long) frames * height * width; }

        public long audioPatches() { return audioSamples / samplesPerPatch; }

        /** Encoder rows: audio patches, 4×4 space-to-depth video tokens, the label. */
        public long inputRows() { return audioPatches() + (long) frames * (height / 4) * (width / 4) + 1; }

        public long outputQueries() { return videoPoints() + audioPatches() + chunks; }

        public long videoChunk(int k) { return chunkEnd(videoPoints(), k) - chunkEnd(videoPoints(), k - 1); }

        public long audioChunk(int k) { return chunkEnd(audioPatches(), k) - chunkEnd(audioPatches(), k - 1); }

        /** Flat indices {@code [from, to)} of chunk {@code k} of {@code total} points. */
        public long[] chunkPoints(long total, int k) {
            long from = chunkEnd(total, k - 1), to = chunkEnd(total, k);
            long[] p = new long[(int) (to - from)];
            for (int i = 0; i < p.length; i++) p[i] = from + i;
            return p;
        }

        private long chunkEnd(long total, int k) { return k < 0 ? 0 : total * (k + 1) / chunks; }

        public Inputs inputs(PerceiverConfig c, long seed) {
            return new Inputs().put("inputs.audio", gaussian(seed, 1, audioSamples, 1))
                    .put("inputs.image", gaussian(seed + 1, 1, frames, 3, height, width))
                    .put("inputs.label", Tensor.zeros(1, c.numLabels()));
        }

        /** {@code base} (from {@link #inputs}) plus chunk {@code k}'s points: one call of the reference recipe. */
        public Inputs chunkInputs(Inputs base, int k) {
            long[] video = chunkPoints(videoPoints(), k), audio = chunkPoints(audioPatches(), k);
            Inputs in = new Inputs();
            for (String n : List.of("inputs.audio", "inputs.image", "inputs.label")) in.put(n, base.tensor(n));
            return in.put("subsampled_output_points.image", new LongTensor(video, new int[] {video.length}))
                    .put("subsampled_output_points.audio", new LongTensor(audio, new int[] {audio.length}));
        }
    }

    /** A bare {@code PerceiverModel}: {@code [1, M, d_model]} floats in, the configured decoder's queries out. */
    record Generic(int inputs, int outputs) implements Workload {
        /** Input rows when none are given. */
        public static final int DEFAULT_INPUT_ROWS = 2048;

        public String describe() { return "array " + inputs + " rows in, " + outputs + " queries out"; }

        public long inputRows() { return inputs; }

        public long outputQueries() { return outputs; }

        public Inputs inputs(PerceiverConfig c, long seed) {
            return new Inputs().put("inputs", gaussian(seed, 1, inputs, c.dModel()));
        }
    }

    /** The decoder's query count: its trainable queries' index dims, or 1 for a classification decoder. */
    private static int genericOutputs(PerceiverConfig c) {
        JsonNode decoder = c.extra().path("constructor").path("decoder");
        if (decoder.path("cls").asText().equals("PerceiverClassificationDecoder")) return 1;
        JsonNode dims = decoder.path("kwargs").path("trainable_position_encoding_kwargs").path("index_dims");
        if (dims.isInt()) return dims.asInt();
        int n = 1;
        for (JsonNode d : dims) n *= d.asInt();
        return n;
    }

    /** Standard-normal floats of the given shape. */
    static Tensor gaussian(long seed, int... shape) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i += 2) {
            double u = rng.nextDouble(), v = rng.nextDouble(), r = Math.sqrt(-2 * Math.log(1 - u));
            d[i] = (float) (r * Math.cos(2 * Math.PI * v));
            if (i + 1 < d.length) d[i + 1] = (float) (r * Math.sin(2 * Math.PI * v));
        }
        return t;
    }
}
