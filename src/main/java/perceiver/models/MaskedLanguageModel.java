package perceiver.models;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.IntStream;

import perceiver.core.BasicDecoder;
import perceiver.core.Trace;
import perceiver.io.text.ByteTokenizer;
import perceiver.tensor.Backend;
import perceiver.tensor.LongTensor;
import perceiver.tensor.Tensor;

/**
 * Byte-level masked language modelling (paper §4.1, HF {@code PerceiverForMaskedLM}): text preprocessor, trunk, a
 * decoder with one learned query per position ({@code max_position_embeddings} of them, 8 heads, qk 256, no
 * residual, no final projection), and the MLM head tied to the input embedding.
 * {@code inputs [B, L] → logits [B, max_positions, vocab]}.
 */
public record MaskedLanguageModel(PerceiverConfig config, TextTrunk trunk, Tensor queries, BasicDecoder decoder,
                                  BasicDecoder.Head head) implements PerceiverTask {
    public static final String MODEL_CLASS = "PerceiverForMaskedLM";
    /** HF hard-codes these decoder arguments for the MLM model. */
    private static final int DECODER_HEADS = 8, DECODER_QK = 8 * 32;

    static MaskedLanguageModel build(PerceiverConfig c, Parameters p) {
        TextTrunk trunk = TextTrunk.build(p, c);
        int ch = trunk.preprocessor().channels();
        String prefix = HfModules.decoderPrefix(HfModules.TRUNK, false);
        Tensor queries = HfModules.decoderQueries(p, prefix, c.maxPositionEmbeddings(), ch);
        BasicDecoder decoder = HfModules.basicDecoder(p, c, prefix,
                new HfModules.DecoderArgs(ch, DECODER_QK, ch, DECODER_HEADS, 1, false, null));
        // the MLM head, prepared so that untraced passes move it into the decoder where cheaper
        return new MaskedLanguageModel(c, trunk, queries, decoder,
                decoder.head(HfModules.embeddingDecoder(p, c, trunk.preprocessor())));
    }

    @Override
    public <A> Map<String, Tensor> pass(Backend<A> be, Inputs in, Trace trace) {
        A latents = trunk.encode(be, in, trace);
        Tensor q = queries.repeat(be.shape(latents)[0]);
        Tensor logits;
        if (trace.on()) {
            Tensor out = decoder.decode(be, q, latents, trace);
            trace.put("decoder.output", out);
            logits = head.head().forward(out);
            trace.put("logits", logits);
        } else {
            logits = decoder.decode(be, q, decoder.memory(be, latents, q.dim(1)), head);
        }
        return Map.of("logits", logits);
    }

    /**
     * Replaces each {@code [MASK]} in {@code text} by the most likely byte, one byte per mark. Bytes that do not
     * form valid UTF-8 together come out as U+FFFD.
     */
    public String fillMask(String text) {
        return fillMask(perceiver.tensor.CpuBackend.INSTANCE, text);
    }

    /** {@link #fillMask(String)} with the trunk and decoder on {@code be}. */
    public String fillMask(Backend<?> be, String text) {
        ByteTokenizer.Encoding enc = ByteTokenizer.encode(text, config.maxPositionEmbeddings());
        long[] ids = Arrays.copyOf(enc.ids(), enc.used());
        int[] masked = IntStream.range(0, ids.length).filter(i -> ids[i] == ByteTokenizer.MASK).toArray();
        Tensor logits = logitsAt(be, ids, masked); // [1, masks, vocab]
        for (int m = 0; m < masked.length; m++) {
            int best = ByteTokenizer.OFFSET;
            for (int v = ByteTokenizer.OFFSET; v < logits.dim(2); v++) {
                if (logits.at(0, m, v) > logits.at(0, m, best)) best = v;
            }
            ids[masked[m]] = best;
        }
        return ByteTokenizer.decode(ids, 0, ids.length);
    }

    /**
     * The logits {@code [1, positions, vocab]} of one unpadded text {@code ids} at the given positions only: the
     * encoder reads the text's tokens alone (padding, masked out of its attention with probability exactly 0, adds
     * nothing) and only those positions' queries are decoded (each output row depends on its own query alone). The
     * same rows as {@link #forward} of the padded text up to rounding, at a fraction of the encoder's and the
     * decoder's cost (for a short text in the published model: most of 2,048 input rows and queries).
     */
    <A> Tensor logitsAt(Backend<A> be, long[] ids, int[] positions) {
        Tensor q = Tensor.zeros(1, positions.length, queries.dim(1));
        for (int i = 0; i < positions.length; i++) q.get(0).rows(i, i + 1).copyFrom(queries.rows(positions[i], positions[i] + 1));
        try (Backend.Scope scope = be.scope()) { // a device backend releases the pass's arrays, as forward does
            A latents = trunk.encode(be, new Inputs().put("inputs", new LongTensor(ids, new int[] {1, ids.length})), Trace.OFF);
            return decoder.decode(be, q, decoder.memory(be, latents, positions.length), head);
        }
    }
}
